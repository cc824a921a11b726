using System.Diagnostics;

namespace NodeFoundry.Simulation;

/// <summary>The storm's live counts, bumped by every node (Interlocked) and read as a <see cref="StormProgress"/> snapshot.</summary>
internal sealed class StormCounters(int nodes)
{
    private static readonly int StageCount = Enum.GetValues<StormStage>().Length;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly int[] _stageCompleted = new int[StageCount];
    private int _poweredOn, _booted, _failed;
    private long _bytes;

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    public long StartTimestamp => _started;

    public void PoweredOn() => Interlocked.Increment(ref _poweredOn);

    public void Completed(StormStage stage) => Interlocked.Increment(ref _stageCompleted[(int)stage]);

    public void Moved(long bytes) => Interlocked.Add(ref _bytes, bytes);

    public void Finished(bool booted) => Interlocked.Increment(ref booted ? ref _booted : ref _failed);

    public StormProgress Snapshot() => new()
    {
        Nodes = nodes,
        Elapsed = Elapsed,
        PoweredOn = Volatile.Read(ref _poweredOn),
        StageCompleted = Enumerable.Range(0, StageCount).Select(i => Volatile.Read(ref _stageCompleted[i])).ToArray(),
        Booted = Volatile.Read(ref _booted),
        Failed = Volatile.Read(ref _failed),
        BytesMoved = Interlocked.Read(ref _bytes),
    };
}
