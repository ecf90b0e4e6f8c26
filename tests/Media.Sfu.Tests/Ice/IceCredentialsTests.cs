using Media.Sfu.Ice;

namespace Media.Sfu.Tests.Ice;

public class IceCredentialsTests
{
    [Fact]
    public void Generate_UsesIceCharsAndRequiredLengths()
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < 500; i++)
        {
            IceCredentials c = IceCredentials.Generate();
            Assert.Equal(IceCredentials.DefaultUfragLength, c.Ufrag.Length);
            Assert.Equal(IceCredentials.DefaultPasswordLength, c.Password.Length);
            Assert.True(IceCredentials.IsIceChars(c.Ufrag));
            Assert.True(IceCredentials.IsIceChars(c.Password));
            Assert.Equal(System.Text.Encoding.ASCII.GetBytes(c.Ufrag), c.UfragBytes.ToArray());
            Assert.Equal(System.Text.Encoding.ASCII.GetBytes(c.Password), c.PasswordBytes.ToArray());
            Assert.True(seen.Add(c.Ufrag));
            Assert.True(seen.Add(c.Password));
        }
    }

    [Fact]
    public void Generate_UsesTheWholeAlphabet()
    {
        var chars = new HashSet<char>();
        for (int i = 0; i < 200; i++)
            chars.UnionWith(IceCredentials.Generate().Password);
        Assert.Equal(64, chars.Count);
    }

    [Fact]
    public void Generate_MinimumLengths()
    {
        IceCredentials c = IceCredentials.Generate(4, 22);
        Assert.Equal(4, c.Ufrag.Length);
        Assert.Equal(22, c.Password.Length);
    }

    [Theory]
    [InlineData("abc", "abcdefghijklmnopqrstuv")] // ufrag too short
    [InlineData("abcd", "abcdefghijklmnopqrstu")] // password too short
    [InlineData("ab:d", "abcdefghijklmnopqrstuv")] // ':' is not an ice-char
    [InlineData("abcd", "abcdefghijklmnopqrstu-")]
    [InlineData("abcé", "abcdefghijklmnopqrstuv")]
    public void Constructor_RejectsInvalidCredentials(string ufrag, string password)
    {
        Assert.Throws<ArgumentException>(() => new IceCredentials(ufrag, password));
    }

    [Fact]
    public void ToString_DoesNotRevealPassword()
    {
        IceCredentials c = IceCredentials.Generate();
        Assert.DoesNotContain(c.Password, c.ToString());
        Assert.Contains(c.Ufrag, c.ToString());
    }
}
