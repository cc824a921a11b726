using System.Net;
using System.Threading.Channels;
using NodeFoundry.Probe;

namespace NodeFoundry.Tests.Lab;

/// <summary>
/// A <see cref="TftpRomClient"/> socket the test drives: what the client sends is readable from <see cref="Sent"/>;
/// <see cref="Deliver"/> hands a datagram to a waiting receive at once (a client that is running), while
/// <see cref="Arrive"/> only puts it in the queue (<see cref="Available"/>) and leaves a waiting receive waiting —
/// a client process that is not scheduled, so its timer can fire with the datagram already there.
/// </summary>
internal sealed class ScriptedRomSocket : ITftpRomSocket
{
    private readonly object _gate = new();
    private readonly Queue<(byte[] Data, IPEndPoint From)> _queue = new();
    private TaskCompletionSource<(int, IPEndPoint)>? _pending;
    private Memory<byte> _pendingBuffer;
    private TaskCompletionSource _receiveWaiting = NewSignal();

    public Channel<(byte[] Data, IPEndPoint To)> Sent { get; } = Channel.CreateUnbounded<(byte[], IPEndPoint)>();

    public int Available
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count == 0 ? 0 : _queue.Peek().Data.Length;
            }
        }
    }

    /// <summary>Completes when the client is blocked in a receive (its timer for that receive exists by then).</summary>
    public Task ReceiveWaiting
    {
        get
        {
            lock (_gate)
            {
                return _receiveWaiting.Task;
            }
        }
    }

    public ValueTask SendToAsync(ReadOnlyMemory<byte> datagram, IPEndPoint to, CancellationToken cancel)
    {
        Sent.Writer.TryWrite((datagram.ToArray(), to));
        return ValueTask.CompletedTask;
    }

    public ValueTask<(int Length, IPEndPoint From)> ReceiveFromAsync(Memory<byte> buffer, CancellationToken cancel)
    {
        TaskCompletionSource<(int, IPEndPoint)> pending;
        lock (_gate)
        {
            if (_queue.TryDequeue(out var queued))
            {
                queued.Data.CopyTo(buffer);
                return ValueTask.FromResult((queued.Data.Length, queued.From));
            }

            pending = new TaskCompletionSource<(int, IPEndPoint)>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending = pending;
            _pendingBuffer = buffer;
            _receiveWaiting.TrySetResult();
        }

        cancel.Register(() =>
        {
            lock (_gate)
            {
                if (ReferenceEquals(_pending, pending))
                {
                    _pending = null;
                    _receiveWaiting = NewSignal();
                }
            }

            pending.TrySetCanceled(cancel);
        });
        return new ValueTask<(int, IPEndPoint)>(pending.Task);
    }

    /// <summary>The datagram reaches the client, and a waiting receive takes it now.</summary>
    public void Deliver(byte[] datagram, IPEndPoint from)
    {
        lock (_gate)
        {
            if (_pending is { } pending)
            {
                _pending = null;
                _receiveWaiting = NewSignal();
                datagram.CopyTo(_pendingBuffer);
                pending.TrySetResult((datagram.Length, from));
                return;
            }

            _queue.Enqueue((datagram, from));
        }
    }

    /// <summary>The datagram reaches the client's queue, but the client does not run: a waiting receive stays waiting.</summary>
    public void Arrive(byte[] datagram, IPEndPoint from)
    {
        lock (_gate)
        {
            _queue.Enqueue((datagram, from));
        }
    }

    public void Dispose() => Sent.Writer.TryComplete();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
