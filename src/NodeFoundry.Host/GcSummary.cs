using System.Globalization;

namespace NodeFoundry.Host;

/// <summary>
/// One line on how much the garbage collector cost a run: collections per generation and the total time managed
/// threads were paused. `serve` prints it on exit, so a storm whose server loop ran seconds late can tell a
/// stopped process (GC pauses) from a starved one (other processes on the CPUs).
/// </summary>
internal static class GcSummary
{
    public static string Describe(TimeSpan runTime)
    {
        var paused = GC.GetTotalPauseDuration();
        var share = runTime > TimeSpan.Zero ? paused / runTime * 100 : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"gc: collections gen0 {GC.CollectionCount(0)}, gen1 {GC.CollectionCount(1)}, gen2 {GC.CollectionCount(2)}; paused {paused.TotalMilliseconds:F0} ms in all ({share:F1}% of {runTime.TotalSeconds:F0} s); allocated {GC.GetTotalAllocatedBytes() / 1_048_576.0:F0} MiB");
    }
}
