namespace Media.Sfu.Tests.Native;

/// <summary>
/// Tests that create OpenSSL/libsrtp/libopus objects run in this collection, serially and alone,
/// so the assertions on <see cref="Media.Sfu.Native.LiveNativeContexts"/> see only their own objects.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeCollection
{
    public const string Name = "Native libraries";
}
