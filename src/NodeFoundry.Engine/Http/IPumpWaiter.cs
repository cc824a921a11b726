namespace NodeFoundry.Http;

/// <summary>
/// Something parked on a <see cref="SocketPump"/> until its socket is ready: a <see cref="SendfileJob"/> waiting for
/// room to send, or a <see cref="DirectReceiver"/> waiting for a connection's next request. Exactly one of the three
/// callbacks runs per park (the pump takes the waiter out of its set first), on the pump's thread for
/// <see cref="OnReady"/> and <see cref="OnExpired"/>.
/// </summary>
internal interface IPumpWaiter
{
    /// <summary>Names the waiter in the pump's epoll set; the same waiter may park again under the same token.</summary>
    long Token { get; }

    int SocketFd { get; }

    /// <summary>The epoll_event that arms the socket (readable or writable, one-shot), built once.</summary>
    byte[] EpollEvent { get; }

    /// <summary>Milliseconds (<see cref="Environment.TickCount64"/>) after which a parked waiter gets <see cref="OnExpired"/>.</summary>
    long Deadline { get; }

    /// <summary>The server's stop: a waiter parked or parking after it fires gets <see cref="OnAbandoned"/>.</summary>
    CancellationToken Stop { get; }

    /// <summary>The socket is ready. Runs on the pump's thread, so it must not block; it may park the waiter again.</summary>
    void OnReady();

    /// <summary>The deadline passed while the waiter was parked.</summary>
    void OnExpired();

    /// <summary>The waiter could not be parked, or the server stopped: <paramref name="error"/> says which.</summary>
    void OnAbandoned(Exception error);
}
