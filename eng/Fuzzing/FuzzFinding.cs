namespace AspireJobs.Fuzzing;

/// <summary>A request the Api answered wrongly, with why: enough to replay it.</summary>
public sealed record FuzzFinding(string Method, string Path, string? ContentType, string Body, int Status, string Why)
{
    public override string ToString() =>
        $"{Method} {Path[..Math.Min(Path.Length, 200)]} ({ContentType ?? "no content type"}, {Body.Length} chars: {Body[..Math.Min(Body.Length, 200)]}) → {Status}: {Why}";
}

/// <summary>What a fuzzing run sent, what came back, and what was wrong.</summary>
public sealed record FuzzReport(int Requests, IReadOnlyDictionary<int, int> ByStatus, IReadOnlyList<FuzzFinding> Findings, TimeSpan Elapsed)
{
    public string Summary =>
        $"{Requests} requests in {Elapsed.TotalSeconds:0.0} s; answers {string.Join(", ", ByStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}; {Findings.Count} findings";
}
