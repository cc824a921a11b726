using System.Net;

namespace NodeFoundry.Probe;

/// <summary>
/// The one UDP socket a <see cref="TftpRomClient"/> fetch uses: send, receive, and how much is already waiting in
/// the kernel's queue. A seam so that tests can hold a datagram "in the queue" while the client's receive has not
/// run — a starved process, the case <see cref="TftpRomResult.LateReads"/> is about — without timing anything.
/// </summary>
internal interface ITftpRomSocket : IDisposable
{
    ValueTask SendToAsync(ReadOnlyMemory<byte> datagram, IPEndPoint to, CancellationToken cancel);

    /// <summary>Waits for the next datagram; <see cref="OperationCanceledException"/> when <paramref name="cancel"/> fires first.</summary>
    ValueTask<(int Length, IPEndPoint From)> ReceiveFromAsync(Memory<byte> buffer, CancellationToken cancel);

    /// <summary>Bytes of the next datagram already queued (0: nothing is waiting). Never blocks.</summary>
    int Available { get; }
}
