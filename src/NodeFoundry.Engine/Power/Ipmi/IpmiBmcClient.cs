using System.Buffers.Binary;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// A BMC over IPMI v2.0 LAN (RMCP+, what <c>ipmitool -I lanplus</c> speaks): one authenticated, encrypted session,
/// opened by <see cref="ConnectAsync"/> and closed on dispose. Requests are serialized (one in flight), each retried
/// within the connect options' bounds.
/// </summary>
public sealed class IpmiBmcClient : IBmcClient
{
    private readonly IpmiUdpChannel _channel;
    private readonly IpmiConnectOptions _options;
    private readonly BmcCredential _credential;
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private IpmiSession _session;
    private long _lastAnswerTicks = Environment.TickCount64;
    private bool _disposed;

    private IpmiBmcClient(BmcEndpoint endpoint, IpmiUdpChannel channel, IpmiSession session, IpmiConnectOptions options, BmcCredential credential)
    {
        Endpoint = endpoint;
        _channel = channel;
        _session = session;
        _options = options;
        _credential = credential;
    }

    private string UserName => _credential.UserName;

    /// <inheritdoc />
    public BmcEndpoint Endpoint { get; }

    /// <summary>The cipher suite the BMC accepted.</summary>
    public IpmiCipherSuite CipherSuite => _session.Keys.Suite;

    /// <summary>
    /// Opens a session: proposes the options' cipher suites strongest first (default 17, then 3; never 0 unless forced),
    /// authenticates with RAKP and raises the session to the options' privilege (default Administrator).
    /// </summary>
    public static async Task<IpmiBmcClient> ConnectAsync(BmcEndpoint endpoint, BmcCredential credential, IpmiConnectOptions? options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        if (endpoint.Protocol != BmcProtocol.Ipmi)
        {
            throw new ArgumentException($"{endpoint} is not an IPMI endpoint", nameof(endpoint));
        }

        options ??= new IpmiConnectOptions();
        options.Validate();
        var channel = await IpmiUdpChannel.ConnectAsync(endpoint, options, ct).ConfigureAwait(false);
        try
        {
            var session = await IpmiSessionHandshake.OpenAsync(channel, endpoint, credential, options, ct).ConfigureAwait(false);
            var client = new IpmiBmcClient(endpoint, channel, session, options, credential);
            try
            {
                await client._oneAtATime.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    await client.RaisePrivilegeAsync(ct).ConfigureAwait(false);
                }
                finally
                {
                    client._oneAtATime.Release();
                }
            }
            catch
            {
                await client.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            return client;
        }
        catch
        {
            channel.Dispose(); // idempotent: the client's own dispose may already have closed it
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<PowerState> GetPowerStateAsync(CancellationToken cancellationToken)
    {
        var data = await CommandAsync("Get Chassis Status", IpmiNetFn.Chassis, IpmiCommands.GetChassisStatus, [], cancellationToken).ConfigureAwait(false);
        if (!ChassisStatus.TryParse(data, out var status, out var error))
        {
            throw new BmcException(Endpoint, BmcFailure.Protocol, error);
        }

        return status.PowerState;
    }

    /// <inheritdoc />
    public async Task SetPowerAsync(PowerAction action, CancellationToken cancellationToken)
    {
        if (action == PowerAction.None)
        {
            return;
        }

        // The spec lets a BMC refuse "power cycle" while power is off; PowerAction.Cycle promises to power such a node on.
        if (action == PowerAction.Cycle && await GetPowerStateAsync(cancellationToken).ConfigureAwait(false) == PowerState.Off)
        {
            action = PowerAction.On;
        }

        await CommandAsync($"Chassis Control ({action})", IpmiNetFn.Chassis, IpmiCommands.ChassisControl, [ChassisControlCode.For(action)], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SetBootOverrideAsync(BootOverride bootOverride, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bootOverride);
        if (bootOverride.Device == BootDevice.UefiHttp)
        {
            throw new BmcException(Endpoint, BmcFailure.Unsupported, "IPMI has no UEFI HTTP Boot device; use Redfish (BootSourceOverrideTarget UefiHttp) or PXE");
        }

        var flags = BootFlags.From(bootOverride);

        // As ipmitool: take the set-in-progress lock where the BMC has one (many, ipmi_sim included, answer 80h or
        // CCh and have none), clear the BIOS acknowledge bit so firmware rereads the flags, write the flags, release.
        var locked = await TrySetBootParameterAsync("set in progress", SystemBootOptions.SetInProgressParameter, [SystemBootOptions.SetInProgress], cancellationToken).ConfigureAwait(false);
        try
        {
            await TrySetBootParameterAsync("boot info acknowledge", SystemBootOptions.BootInfoAcknowledgeParameter, SystemBootOptions.ClearBiosAcknowledge(), cancellationToken).ConfigureAwait(false);
            await CommandAsync("Set System Boot Options (boot flags)", IpmiNetFn.Chassis, IpmiCommands.SetSystemBootOptions, SystemBootOptions.SetRequest(BootFlags.ParameterSelector, flags.Encode()), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (locked)
            {
                await ReleaseBootOptionsLockAsync().ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async Task<BootOverride> GetBootOverrideAsync(CancellationToken cancellationToken) =>
        (await GetBootFlagsAsync(cancellationToken).ConfigureAwait(false)).ToBootOverride();

    /// <summary>The raw boot flags (parameter 5), including a device selector the BMC reports without the valid bit.</summary>
    public async Task<BootFlags> GetBootFlagsAsync(CancellationToken cancellationToken)
    {
        var data = await CommandAsync("Get System Boot Options (boot flags)", IpmiNetFn.Chassis, IpmiCommands.GetSystemBootOptions, SystemBootOptions.GetRequest(BootFlags.ParameterSelector), cancellationToken).ConfigureAwait(false);
        if (!SystemBootOptions.TryParseGet(data, BootFlags.ParameterSelector, out var parameter, out var error) || !BootFlags.TryParse(parameter, out var flags, out error))
        {
            throw new BmcException(Endpoint, BmcFailure.Protocol, error);
        }

        return flags;
    }

    /// <summary>
    /// Closes the session — one attempt, waiting at most one timeout for the answer (a BMC that misses it times the
    /// session out itself) — and forgets the keys.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _oneAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            await CloseSessionAsync().ConfigureAwait(false);
        }
        finally
        {
            _channel.Dispose();
            _oneAtATime.Release();
            _oneAtATime.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"IPMI {Endpoint} as '{UserName}' ({CipherSuite})";

    private async Task RaisePrivilegeAsync(CancellationToken ct)
    {
        // An RMCP+ session starts at User; chassis control needs more (IPMI v2.0 section 13.21).
        if (_options.Privilege <= IpmiPrivilegeLevel.User)
        {
            return;
        }

        // Called with the request lock held (at connect and when the session is reopened).
        var what = $"Set Session Privilege Level ({_options.Privilege})";
        Completed(what, await ExchangeHeldAsync(what, IpmiNetFn.Application, IpmiCommands.SetSessionPrivilegeLevel, [(byte)_options.Privilege], ct).ConfigureAwait(false));
    }

    /// <summary>
    /// Opens a fresh session when the current one has idled past <see cref="IpmiConnectOptions.SessionIdleLimit"/>: the
    /// old one is closed best effort (one attempt; a BMC that already expired it does not answer).
    /// </summary>
    private async Task RenewIdleSessionAsync(CancellationToken ct)
    {
        if (Environment.TickCount64 - _lastAnswerTicks < (long)_options.SessionIdleLimit.TotalMilliseconds)
        {
            return;
        }

        _options.Log?.Invoke($"{Endpoint}: session idle for {(Environment.TickCount64 - _lastAnswerTicks) / 1000.0:0.0} s; opening a new one");
        await CloseSessionAsync().ConfigureAwait(false);
        _session = await IpmiSessionHandshake.OpenAsync(_channel, Endpoint, _credential, _options, ct).ConfigureAwait(false);
        _lastAnswerTicks = Environment.TickCount64;
        await RaisePrivilegeAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Close Session, one attempt, then the keys are forgotten. Called with the request lock held.</summary>
    private async Task CloseSessionAsync()
    {
        try
        {
            var data = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(data, _session.BmcSessionId);
            var request = _session.NextRequest(IpmiNetFn.Application, IpmiCommands.CloseSession, data);
            var response = await _channel.ExchangeAsync("Close Session", _ => _session.Wrap(request), answer => _session.Unwrap(answer, request, out _), CancellationToken.None, attemptLimit: 1).ConfigureAwait(false);
            _options.Log?.Invoke($"{Endpoint}: session closed ({IpmiCompletionCode.Describe(response.CompletionCode)})");
        }
        catch (BmcException ex)
        {
            _options.Log?.Invoke($"{Endpoint}: Close Session unanswered ({ex.Failure}); the BMC will time the session out");
        }
        finally
        {
            _session.Keys.Clear();
        }
    }

    /// <summary>
    /// "Set complete". Failing to release must not hide why the flags write failed, so it is logged, not thrown; a
    /// BMC releases a forgotten lock itself after its set-in-progress timeout.
    /// </summary>
    private async Task ReleaseBootOptionsLockAsync()
    {
        try
        {
            await TrySetBootParameterAsync("set complete", SystemBootOptions.SetInProgressParameter, [SystemBootOptions.SetComplete], CancellationToken.None).ConfigureAwait(false);
        }
        catch (BmcException ex)
        {
            _options.Log?.Invoke($"{Endpoint}: boot options lock not released ({ex.Failure}); the BMC will release it after its timeout");
        }
    }

    /// <summary>Sets a boot parameter whose absence is tolerated; false when the BMC does not have it.</summary>
    private async Task<bool> TrySetBootParameterAsync(string what, byte parameter, byte[] data, CancellationToken ct)
    {
        var response = await ExchangeAsync($"Set System Boot Options ({what})", IpmiNetFn.Chassis, IpmiCommands.SetSystemBootOptions, SystemBootOptions.SetRequest(parameter, data), ct).ConfigureAwait(false);
        switch (response.CompletionCode)
        {
            case IpmiCompletionCode.Success:
                return true;
            case IpmiCompletionCode.SetInProgress:
                throw new BmcException(Endpoint, BmcFailure.Rejected, "another client is changing the boot options (set in progress, 81h); try again");
            default:
                _options.Log?.Invoke($"{Endpoint}: boot parameter {parameter} ({what}) not supported: {IpmiCompletionCode.Describe(response.CompletionCode)}; continuing as ipmitool does");
                return false;
        }
    }

    private async Task<byte[]> CommandAsync(string what, IpmiNetFn netFn, byte command, byte[] data, CancellationToken ct) =>
        Completed(what, await ExchangeAsync(what, netFn, command, data, ct).ConfigureAwait(false));

    private byte[] Completed(string what, IpmiResponse response) =>
        response.CompletionCode switch
        {
            IpmiCompletionCode.Success => response.Data,
            IpmiCompletionCode.InsufficientPrivilege => throw new BmcException(Endpoint, BmcFailure.Authentication, $"user '{UserName}' may not run {what}: {IpmiCompletionCode.Describe(response.CompletionCode)}"),
            _ => throw new BmcException(Endpoint, BmcFailure.Rejected, $"the BMC refused {what}: {IpmiCompletionCode.Describe(response.CompletionCode)}"),
        };

    private async Task<IpmiResponse> ExchangeAsync(string what, IpmiNetFn netFn, byte command, byte[] data, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _oneAtATime.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await RenewIdleSessionAsync(ct).ConfigureAwait(false);
            return await ExchangeHeldAsync(what, netFn, command, data, ct).ConfigureAwait(false);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>One request and its answer on the current session; the caller holds the request lock.</summary>
    private async Task<IpmiResponse> ExchangeHeldAsync(string what, IpmiNetFn netFn, byte command, byte[] data, CancellationToken ct)
    {
        var request = _session.NextRequest(netFn, command, data);
        var session = _session;
        var response = await _channel.ExchangeAsync(
            what,
            _ => session.Wrap(request),
            answer =>
            {
                var unwrapped = session.Unwrap(answer, request, out var dropped);
                if (unwrapped is null)
                {
                    _options.Log?.Invoke($"{Endpoint}: dropped a datagram while waiting for {what}: {dropped}");
                }

                return unwrapped;
            },
            ct).ConfigureAwait(false);
        _lastAnswerTicks = Environment.TickCount64;
        return response;
    }
}
