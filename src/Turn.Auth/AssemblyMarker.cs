namespace Turn.Auth; internal static class AssemblyMarker {}
