namespace Media.Sfu; internal static class AssemblyMarker {}
