using AspireJobs.Core.Memory;

namespace AspireJobs.Tests.Memory;

public sealed class TopKTests
{
    [Fact]
    public void Result_IsTheKBestScores_BestFirst_ForRandomStreams()
    {
        var random = new Random(12345);
        for (var round = 0; round < 200; round++)
        {
            var count = random.Next(0, 300);
            var k = random.Next(1, 20);
            var scores = Enumerable.Range(0, count).Select(_ => (float)Math.Round(random.NextDouble() * 2 - 1, 2)).ToArray();
            var top = new TopK(k);
            for (var i = 0; i < scores.Length; i++)
            {
                top.Offer(i, scores[i]);
            }

            var expected = scores.Select((score, item) => (Item: item, Score: score))
                .OrderByDescending(e => e.Score).ThenBy(e => e.Item).Take(k).ToList();
            Assert.Equal(expected, top.Result());
        }
    }

    [Fact]
    public void Offer_IgnoresNaN_AndKeepsTheEarlierOfEqualScores()
    {
        var top = new TopK(2);
        top.Offer(0, float.NaN);
        top.Offer(1, 0.5f);
        top.Offer(2, 0.5f);
        top.Offer(3, 0.5f);

        Assert.Equal([(1, 0.5f), (2, 0.5f)], top.Result());
        Assert.Equal(0.5f, top.Threshold);
    }

    [Fact]
    public void Constructor_RefusesAnEmptyK() => Assert.Throws<ArgumentOutOfRangeException>(() => new TopK(0));
}
