using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace NodeFoundry.Power;

/// <summary>
/// Runs power actions over a fleet: nodes in waves of <see cref="PowerCycleOptions.BatchSize"/> (a wave starts when the
/// previous one has finished), at most <see cref="PowerCycleOptions.MaxConcurrentSessions"/> BMC sessions at once,
/// power commands sent one at a time in the given order and at least <see cref="PowerCycleOptions.Stagger"/> apart.
/// Each node gets exactly one attempt: its boot override, then its power action. One result per node is streamed as
/// it finishes; a failing node is a result, never the end of the run.
/// </summary>
public sealed class PowerCycleOrchestrator
{
    private readonly Func<BmcEndpoint, BmcCredential, CancellationToken, Task<IBmcClient>> _connect;
    private readonly PowerCycleOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates an orchestrator.</summary>
    /// <param name="connect">Opens a client for a BMC (production: <see cref="BmcClientFactory.ConnectAsync"/>).</param>
    /// <param name="options">Pacing; defaults when null.</param>
    /// <param name="time">The clock for stagger, timeouts and timestamps; the system clock when null.</param>
    public PowerCycleOrchestrator(Func<BmcEndpoint, BmcCredential, CancellationToken, Task<IBmcClient>> connect, PowerCycleOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(connect);
        _connect = connect;
        _options = options ?? new PowerCycleOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Splits the run into waves, in order.</summary>
    public static IReadOnlyList<IReadOnlyList<int>> Waves(int count, int batchSize)
    {
        int size = batchSize <= 0 ? Math.Max(count, 1) : batchSize;
        return [.. Enumerable.Range(0, count).Chunk(size).Select(w => (IReadOnlyList<int>)w)];
    }

    /// <summary>
    /// Runs every request and yields each node's result as it finishes. <paramref name="progress"/> is called after each
    /// node, one call at a time. Stopping the enumeration early or cancelling stops nodes not yet started; nodes in flight
    /// end as failed results.
    /// </summary>
    public async IAsyncEnumerable<PowerCycleResult> RunAsync(
        IReadOnlyList<PowerCycleRequest> requests,
        Action<PowerCycleProgress>? progress,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var results = Channel.CreateUnbounded<PowerCycleResult>(new UnboundedChannelOptions { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task run = RunWavesAsync(requests, results.Writer, progress, stop.Token);
        try
        {
            await foreach (PowerCycleResult result in results.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return result;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await run.ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task RunWavesAsync(IReadOnlyList<PowerCycleRequest> requests, ChannelWriter<PowerCycleResult> results, Action<PowerCycleProgress>? progress, CancellationToken cancellationToken)
    {
        IReadOnlyList<IReadOnlyList<int>> waves = Waves(requests.Count, _options.BatchSize);
        var turns = new PowerOnTurns(requests.Count, _options.Stagger, _time);
        using var sessions = new SemaphoreSlim(_options.MaxConcurrentSessions, _options.MaxConcurrentSessions);
        var gate = new object();
        int completed = 0;
        int failed = 0;
        try
        {
            for (int w = 0; w < waves.Count && !cancellationToken.IsCancellationRequested; w++)
            {
                var running = new List<Task>(waves[w].Count);
                foreach (int index in waves[w])
                {
                    // Slots are granted in node order: a later node holding a slot while waiting for its turn could otherwise
                    // starve an earlier node of the slot it needs to take that turn.
                    try
                    {
                        await sessions.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    int wave = w + 1;
                    running.Add(Task.Run(
                        async () =>
                        {
                            PowerCycleResult result;
                            try
                            {
                                result = await RunNodeAsync(requests[index], index, wave, turns, cancellationToken).ConfigureAwait(false);
                            }
                            finally
                            {
                                turns.Release(index);
                                sessions.Release();
                            }

                            lock (gate)
                            {
                                completed++;
                                failed += result.Succeeded ? 0 : 1;
                                progress?.Invoke(new PowerCycleProgress(completed, failed, requests.Count, wave, waves.Count, result));
                                results.TryWrite(result);
                            }
                        },
                        CancellationToken.None));
                }

                await Task.WhenAll(running).ConfigureAwait(false);
            }

            results.TryComplete();
        }
        catch (Exception ex)
        {
            // A progress callback that throws ends the run; the enumeration rethrows it.
            results.TryComplete(ex);
        }
    }

    private async Task<PowerCycleResult> RunNodeAsync(PowerCycleRequest request, int index, int wave, PowerOnTurns turns, CancellationToken cancellationToken)
    {
        DateTimeOffset started = _time.GetUtcNow();
        PowerState before = PowerState.Unknown;
        PowerState after = PowerState.Unknown;
        BootDevice? bootSet = null;
        DateTimeOffset? commandAt = null;
        string step = "connect";
        IBmcClient? client = null;
        try
        {
            using (var phase = Phase(cancellationToken))
            {
                client = await _connect(request.Endpoint, request.Credential, phase.Token).ConfigureAwait(false);
                step = "read power state";
                before = await client.GetPowerStateAsync(phase.Token).ConfigureAwait(false);
                if (request.Boot is { } boot)
                {
                    step = $"set boot device {boot.Device}";
                    await client.SetBootOverrideAsync(boot, phase.Token).ConfigureAwait(false);
                    bootSet = boot.Device;
                }
            }

            if (request.Action != PowerAction.None)
            {
                step = "wait for its turn";
                commandAt = await turns.TakeAsync(index, cancellationToken).ConfigureAwait(false);
                try
                {
                    using var phase = Phase(cancellationToken);
                    step = $"power {request.Action}";
                    await client.SetPowerAsync(request.Action, phase.Token).ConfigureAwait(false);
                }
                finally
                {
                    turns.Release(index);
                }
            }

            using (var phase = Phase(cancellationToken))
            {
                step = "read power state after the action";
                after = await client.GetPowerStateAsync(phase.Token).ConfigureAwait(false);
            }

            return Result(null, null);
        }
        catch (BmcException ex)
        {
            return Result($"{step}: {ex.Message}", ex.Failure);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result($"{request.Endpoint}: {step}: no answer within {_options.NodeTimeout.TotalSeconds:0.#} s", BmcFailure.Timeout);
        }
        catch (OperationCanceledException)
        {
            return Result($"{request.Endpoint}: {step}: the run was stopped", null);
        }
#pragma warning disable CA1031 // One node's unexpected failure is that node's result; the rest of the fleet goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Result($"{request.Endpoint}: {step}: {ex.GetType().Name}: {ex.Message}", null);
        }
        finally
        {
            if (client is not null)
            {
                await DisposeQuietlyAsync(client).ConfigureAwait(false);
            }
        }

        PowerCycleResult Result(string? error, BmcFailure? failure) => new()
        {
            NodeName = request.NodeName,
            Endpoint = request.Endpoint,
            Action = request.Action,
            Wave = wave,
            PowerBefore = before,
            PowerAfter = after,
            BootDeviceSet = bootSet,
            StartedAt = started,
            PowerCommandAt = commandAt,
            FinishedAt = _time.GetUtcNow(),
            Error = error is null ? null : Redact(error, request.Credential),
            Failure = failure,
        };
    }

    /// <summary>A step's token: the run's, plus the node timeout on the orchestrator's clock (tests drive it with a fake one).</summary>
    private NodeDeadline Phase(CancellationToken cancellationToken) => new(_options.NodeTimeout, _time, cancellationToken);

    private static async Task DisposeQuietlyAsync(IBmcClient client)
    {
        try
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Closing a session is best effort; the BMC expires it anyway.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Whatever a client or connector put in a message, the password does not leave through a result.</summary>
    private static string Redact(string text, BmcCredential credential) =>
        credential.Password.Length == 0 ? text : text.Replace(credential.Password, "***", StringComparison.Ordinal);

    private sealed class NodeDeadline : IDisposable
    {
        private readonly CancellationTokenSource _timeout;
        private readonly CancellationTokenSource _linked;

        public NodeDeadline(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
        {
            _timeout = new CancellationTokenSource(timeout, time);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
        }

        public CancellationToken Token => _linked.Token;

        public void Dispose()
        {
            _linked.Dispose();
            _timeout.Dispose();
        }
    }
}
