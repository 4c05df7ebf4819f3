namespace AspireJobs.Core.Dispatch;

/// <summary>
/// How acquisition shares workers between the three bands (see <c>Scripts/acquire.lua</c>): a
/// weighted cycle over high, medium and low, and aging, which takes a medium or low job first
/// once it has waited <see cref="StarvationLimit"/>, but never two jobs in a row. Aging is what
/// bounds the wait of a low job under sustained high-priority load: it starts within the limit
/// plus the time until any worker next frees a slot (two, behind other starved jobs' turns). Its
/// every other turn is what keeps a backlog of old medium or low jobs from starving the high
/// band in its turn: the cycle still takes half the jobs, most of them high.
/// </summary>
public sealed record FairnessPolicy(int HighWeight, int MediumWeight, int LowWeight, TimeSpan StarvationLimit)
{
    public const int DefaultHighWeight = 6;
    public const int DefaultMediumWeight = 3;
    public const int DefaultLowWeight = 1;
    public static readonly TimeSpan DefaultStarvationLimit = TimeSpan.FromSeconds(10);

    public static FairnessPolicy Default { get; } =
        new(DefaultHighWeight, DefaultMediumWeight, DefaultLowWeight, DefaultStarvationLimit);
}
