using AspireJobs.Core.Storage;

namespace AspireJobs.Tests.Core.Storage;

public sealed class PostgresTextTests
{
    [Fact]
    public void Storable_ReplacesWhatTextCannotHold_AndKeepsTheRest()
    {
        // In code, not theory data: the test runner's serialization would mend the lone surrogates.
        (string Text, string Expected)[] cases =
        [
            ("plain", "plain"),
            ("a\0b", "a\uFFFDb"),
            ("lone \uD83D high", "lone \uFFFD high"),
            ("lone \uDE00 low", "lone \uFFFD low"),
            ("low first \uDE00\uD83D", "low first \uFFFD\uFFFD"),
            ("a pair \uD83D\uDE00 kept", "a pair \uD83D\uDE00 kept"),
            ("\uD83D\uD83D\uDE00", "\uFFFD\uD83D\uDE00"),
        ];

        Assert.All(cases, c => Assert.Equal(c.Expected, PostgresText.Storable(c.Text, 100)));
    }

    [Fact]
    public void Storable_CutsAtTheLimit_WithoutSplittingAPair()
    {
        Assert.Equal("abc", PostgresText.Storable("abcdef", 3));
        Assert.Equal("ab", PostgresText.Storable("ab\uD83D\uDE00", 3)); // the cut would leave the high half alone
        Assert.Equal("ab\uD83D\uDE00", PostgresText.Storable("ab\uD83D\uDE00!", 4));
    }

    [Fact]
    public void Storable_ReturnsTheSameString_WhenNothingChanges()
    {
        const string Text = "nothing to change \uD83D\uDE00";

        Assert.Same(Text, PostgresText.Storable(Text, 100));
    }
}
