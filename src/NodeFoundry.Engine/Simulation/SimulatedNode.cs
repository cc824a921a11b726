using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using NodeFoundry.Dhcp.Wire;
using NodeFoundry.Fleet;
using NodeFoundry.Probe;

namespace NodeFoundry.Simulation;

/// <summary>
/// One node booting the way firmware does: PXE DHCP (DISCOVER, REQUEST, firmware retransmits), the NBP over TFTP
/// as a ROM fetches it, iPXE's own DHCP (user class <c>iPXE</c>, iPXE's retransmits), then the script, kernel and
/// initrd over one keep-alive HTTP connection. Stops at the first stage that fails, as a real node would.
/// </summary>
internal sealed class SimulatedNode
{
    private readonly int _index;
    private readonly PhysicalAddress _mac;
    private readonly Guid _uuid;
    private readonly Random _random;
    private readonly StormOptions _options;
    private readonly RelayDhcpChannel _dhcp;
    private readonly StormCounters _counters;
    private readonly Dictionary<StormStage, TimeSpan> _durations = [];
    private int _dhcpRetransmits;

    public SimulatedNode(int index, StormOptions options, RelayDhcpChannel dhcp, StormCounters counters)
    {
        _index = index;
        _options = options;
        _dhcp = dhcp;
        _counters = counters;
        _random = new Random(HashCode.Combine(options.Seed, index));
        _mac = MacOf(options.FirstMac + (ulong)index);
        Span<byte> uuid = stackalloc byte[16];
        _random.NextBytes(uuid);
        _uuid = new Guid(uuid);
    }

    public PhysicalAddress MacAddress => _mac;

    public static PhysicalAddress MacOf(ulong value)
    {
        var bytes = new byte[6];
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xFF);
            value >>= 8;
        }

        return new PhysicalAddress(bytes);
    }

    public async Task<SimulatedNodeResult> BootAsync(BootServers servers, CancellationToken cancel)
    {
        var dhcpServer = servers.Dhcp;
        var poweredOn = _counters.Elapsed;
        _counters.PoweredOn();
        var result = new SimulatedNodeResult { Index = _index, MacAddress = _mac, PoweredOnAt = poweredOn };
        var stage = StormStage.Discover;
        try
        {
            // Firmware DHCP.
            var firmware = await LeaseAsync(dhcpServer, ipxe: false, cancel).ConfigureAwait(false);
            if (firmware.Failure is { } dhcpFailure)
            {
                return Fail(result, dhcpFailure.Stage, dhcpFailure.Cause, dhcpFailure.Detail);
            }

            result = result with { LeasedAddress = firmware.Address, BootFile = firmware.BootFile };
            var source = SourceAddress(firmware.Address);

            // The NBP, as a PXE ROM fetches it.
            stage = StormStage.Nbp;
            var tftpServer = servers.Tftp ?? new IPEndPoint(firmware.NextServer ?? dhcpServer.Address, 69);
            var started = Stopwatch.GetTimestamp();
            var tftp = new TftpRomClient(_options.Tftp with { LocalAddress = source ?? IPAddress.Any, KeepContent = false, Deadline = _options.Deadline });
            var nbp = await tftp.FetchAsync(tftpServer, firmware.BootFile!, cancel).ConfigureAwait(false);
            _counters.Moved(nbp.Bytes);
            result = result with { NbpBytes = nbp.Bytes, TftpDuplicateBlocks = nbp.DuplicateBlocks, TftpLateReads = nbp.LateReads };
            if (!nbp.Succeeded)
            {
                var cause = nbp.FailureCause switch
                {
                    TftpRomFailureCause.Timeout => StormFailureCause.Timeout,
                    TftpRomFailureCause.ServerError => StormFailureCause.ServerError,
                    TftpRomFailureCause.SocketError => StormFailureCause.SocketError,
                    TftpRomFailureCause.Cancelled => StormFailureCause.Deadline,
                    _ => StormFailureCause.ProtocolViolation,
                };
                return Fail(result, StormStage.Nbp, cause, $"{nbp.FailureStage}: {nbp.Detail}");
            }

            Done(StormStage.Nbp, started);

            // iPXE's DHCP.
            stage = StormStage.IpxeDhcp;
            var ipxe = await LeaseAsync(dhcpServer, ipxe: true, cancel).ConfigureAwait(false);
            if (ipxe.Failure is { } ipxeFailure)
            {
                return Fail(result, ipxeFailure.Stage, ipxeFailure.Cause, ipxeFailure.Detail);
            }

            if (!Uri.TryCreate(ipxe.BootFile, UriKind.Absolute, out var scriptUrl) || scriptUrl.Scheme != Uri.UriSchemeHttp || !IPAddress.TryParse(scriptUrl.Host, out _))
            {
                return Fail(result, StormStage.IpxeDhcp, StormFailureCause.NoBootFile, $"iPXE was offered '{ipxe.BootFile}', not an http:// URL with an IP address");
            }

            result = result with { ScriptUrl = scriptUrl };
            using var http = new StormHttpConnection(source, _options.HttpTimeout);
            try
            {
                // The script.
                stage = StormStage.Script;
                started = Stopwatch.GetTimestamp();
                var script = await http.GetAsync(scriptUrl, _options.MaxScriptBytes, cancel).ConfigureAwait(false);
                _counters.Moved(script.Bytes);
                result = result with { ScriptBytes = script.Bytes };
                if (!script.Succeeded)
                {
                    return Fail(result, StormStage.Script, script.Cause!.Value, script.Detail!);
                }

                Done(StormStage.Script, started);
                var settings = new IpxeSettings(MacAddressText.Format(_mac), _uuid, ipxe.Address);
                var (kernelUrl, initrdUrl) = IpxeScriptReader.Read(Encoding.UTF8.GetString(script.Body ?? []), scriptUrl, settings);
                kernelUrl = _options.KernelUrl ?? kernelUrl;
                initrdUrl = _options.InitrdUrl ?? initrdUrl;
                if (kernelUrl is null || initrdUrl is null || !IPAddress.TryParse(kernelUrl.Host, out _) || !IPAddress.TryParse(initrdUrl.Host, out _))
                {
                    return Fail(result, StormStage.Script, StormFailureCause.ScriptWithoutKernel,
                        $"the script names kernel {kernelUrl?.ToString() ?? "(none)"} and initrd {initrdUrl?.ToString() ?? "(none)"}; both must be http:// URLs with an IP address");
                }

                // Kernel, then initrd, on the same connection when they live on the same server.
                stage = StormStage.Kernel;
                started = Stopwatch.GetTimestamp();
                var kernel = await http.GetAsync(kernelUrl, 0, cancel).ConfigureAwait(false);
                _counters.Moved(kernel.Bytes);
                result = result with { KernelBytes = kernel.Bytes };
                if (!kernel.Succeeded)
                {
                    return Fail(result, StormStage.Kernel, kernel.Cause!.Value, kernel.Detail!);
                }

                Done(StormStage.Kernel, started);
                stage = StormStage.Initrd;
                started = Stopwatch.GetTimestamp();
                var initrd = await http.GetAsync(initrdUrl, 0, cancel).ConfigureAwait(false);
                _counters.Moved(initrd.Bytes);
                result = result with { InitrdBytes = initrd.Bytes };
                if (!initrd.Succeeded)
                {
                    return Fail(result, StormStage.Initrd, initrd.Cause!.Value, initrd.Detail!);
                }

                Done(StormStage.Initrd, started);
            }
            finally
            {
                result = result with { HttpConnections = http.Connections };
            }

            _counters.Finished(booted: true);
            return result with { FinishedAt = _counters.Elapsed, StageDurations = _durations, DhcpRetransmits = _dhcpRetransmits };
        }
        catch (OperationCanceledException)
        {
            return Fail(result, stage, StormFailureCause.Deadline, "the storm's deadline passed (or it was cancelled) first");
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            return Fail(result, stage, StormFailureCause.SocketError, ex.Message);
        }
    }

    private IPAddress? SourceAddress(IPAddress? leased) =>
        _options.BindLeasedAddress && leased is not null ? leased
        : _options.SourceAddresses.Count > 0 ? _options.SourceAddresses[_index % _options.SourceAddresses.Count]
        : null;

    private void Done(StormStage stage, long started)
    {
        _durations[stage] = Stopwatch.GetElapsedTime(started);
        _counters.Completed(stage);
    }

    private SimulatedNodeResult Fail(SimulatedNodeResult result, StormStage stage, StormFailureCause cause, string detail)
    {
        _counters.Finished(booted: false);
        return result with
        {
            FinishedAt = _counters.Elapsed,
            StageDurations = _durations,
            DhcpRetransmits = _dhcpRetransmits,
            FailedStage = stage,
            FailureCause = cause,
            FailureDetail = detail,
        };
    }

    /// <summary>DISCOVER/OFFER then REQUEST/ACK, as firmware (stages Discover and Request) or as iPXE (stage IpxeDhcp).</summary>
    private async Task<Lease> LeaseAsync(IPEndPoint server, bool ipxe, CancellationToken cancel)
    {
        var schedule = ipxe ? _options.IpxeRetransmits : _options.FirmwareRetransmits;
        var offerStage = ipxe ? StormStage.IpxeDhcp : StormStage.Discover;
        var ackStage = ipxe ? StormStage.IpxeDhcp : StormStage.Request;
        var xid = (uint)_random.NextInt64(1, uint.MaxValue);
        var started = Stopwatch.GetTimestamp();
        var (offer, resent) = await _dhcp.ExchangeAsync(NewPacket(DhcpMessageType.Discover, xid, ipxe), DhcpMessageType.Offer, schedule, server, cancel).ConfigureAwait(false);
        _dhcpRetransmits += resent;
        if (offer is null)
        {
            return Lease.Failed(offerStage, StormFailureCause.Timeout, $"no OFFER after {schedule.Waits.Count} DISCOVERs ({schedule.Total.TotalSeconds:0.#} s)");
        }

        var bootFile = BootFileOf(offer);
        if (bootFile is null)
        {
            return Lease.Failed(offerStage, StormFailureCause.NoBootFile, $"the OFFER of {offer.YourAddress} names no boot file");
        }

        if (!ipxe)
        {
            Done(StormStage.Discover, started);
            started = Stopwatch.GetTimestamp();
        }

        var request = NewPacket(DhcpMessageType.Request, xid, ipxe);
        request.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, offer.YourAddress);
        if (offer.ServerIdentifier is { } serverId)
        {
            request.Options.SetAddress(DhcpOptionCode.ServerIdentifier, serverId);
        }

        (var ack, resent) = await _dhcp.ExchangeAsync(request, DhcpMessageType.Ack, schedule, server, cancel).ConfigureAwait(false);
        _dhcpRetransmits += resent;
        if (ack is null)
        {
            return Lease.Failed(ackStage, StormFailureCause.Timeout, $"no ACK after {schedule.Waits.Count} REQUESTs ({schedule.Total.TotalSeconds:0.#} s)");
        }

        if (ack.MessageType == DhcpMessageType.Nak)
        {
            var reason = ack.Options.Get(DhcpOptionCode.Message) is { } m ? Encoding.ASCII.GetString(m.Span) : "no reason given";
            return Lease.Failed(ackStage, StormFailureCause.Nak, $"NAK for {offer.YourAddress}: {reason}");
        }

        Done(ackStage, started);
        var nextServer = offer.ServerAddress.Equals(IPAddress.Any) ? null : offer.ServerAddress;
        return new Lease(ack.YourAddress, BootFileOf(ack) ?? bootFile, nextServer, null);
    }

    private DhcpPacket NewPacket(DhcpMessageType type, uint xid, bool ipxe)
    {
        var packet = new DhcpPacket
        {
            Op = DhcpOpCode.BootRequest,
            HardwareType = 1,
            HardwareAddressLength = 6,
            TransactionId = xid,
            Hops = 1,
        };
        _mac.GetAddressBytes().CopyTo(packet.ClientHardwareAddress, 0);
        packet.Options.SetByte(DhcpOptionCode.MessageType, (byte)type);
        packet.Options.SetUInt16(DhcpOptionCode.MaxMessageSize, 1472);
        packet.Options.SetUInt16(DhcpOptionCode.ClientSystemArchitecture, _options.Architecture);
        packet.Options.Set(DhcpOptionCode.ClientNetworkInterface, [1, 2, 1]);
        // firmware-lab.md: what an iPXE ROM (BIOS) and a PXE ROM send as option 60.
        packet.Options.SetString(DhcpOptionCode.VendorClassIdentifier,
            FormattableString.Invariant($"PXEClient:Arch:{_options.Architecture:D5}:UNDI:002001"));
        var uuid = new byte[17];
        _uuid.TryWriteBytes(uuid.AsSpan(1));
        packet.Options.Set(DhcpOptionCode.ClientMachineIdentifier, uuid);
        if (ipxe)
        {
            // What iPXE really sends: the bare string, not RFC 3004 framing.
            packet.Options.SetString(DhcpOptionCode.UserClass, "iPXE");
        }

        packet.Options.Set(DhcpOptionCode.ParameterRequestList, [1, 3, 6, 12, 15, 28, 43, 60, 66, 67, 97, 175]);
        return packet;
    }

    private static string? BootFileOf(DhcpPacket reply)
    {
        var file = reply.Options.Get(DhcpOptionCode.BootFileName) is { } opt67
            ? Encoding.ASCII.GetString(opt67.Span)
            : reply.BootFileName;
        file = file.TrimEnd('\0');
        return string.IsNullOrEmpty(file) ? null : file;
    }

    private readonly record struct Lease(IPAddress? Address, string? BootFile, IPAddress? NextServer, (StormStage Stage, StormFailureCause Cause, string Detail)? Failure)
    {
        public static Lease Failed(StormStage stage, StormFailureCause cause, string detail) => new(null, null, null, (stage, cause, detail));
    }
}
