using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.Probe;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.BootPath;

/// <summary>
/// Walks the boot path as clients do, in the seed reference's acceptance order, and returns one
/// <see cref="BootPathCheck"/> per check: DHCP as each firmware and as iPXE (DISCOVER only: no address is
/// taken), every server that answers, the NBP over TFTP as a ROM fetches it (or over HTTP for UEFI HTTP
/// Boot), the iPXE script and the kernel, initrd and chain targets it names, and the answer files on the
/// kernel line. It talks only standard protocols, so it judges dnsmasq, ISC dhcpd or Kea as it judges NodeFoundry.
/// </summary>
public sealed class BootPathTester
{
    private const string IpxeAgent = "iPXE/1.21.1 (NodeFoundry Test-NfBootPath)";
    private const string UefiHttpBootAgent = "UefiHttpBoot/1.0";

    private readonly BootPathOptions _options;

    public BootPathTester(BootPathOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        MacAddress = options.MacAddress ?? RandomLocalMac();
    }

    /// <summary>The MAC the probes carry.</summary>
    public PhysicalAddress MacAddress { get; }

    /// <summary>Runs every check. Throws only when the probe cannot start (a socket it cannot bind); the network's failures are checks.</summary>
    public async Task<IReadOnlyList<BootPathCheck>> RunAsync(CancellationToken cancel = default)
    {
        var firmwares = BootPathFirmware.For(_options.Architectures);
        var discovers = firmwares.Select(f => new DhcpDiscover(MacAddress, f.Architecture, f.VendorClass, f.Ipxe)).ToList();
        IReadOnlyList<DhcpOfferSet> sets;
        using (var collector = OpenCollector())
        {
            sets = await Task.Run(() => collector.Collect(discovers, _options.OfferWindow, cancel), cancel).ConfigureAwait(false);
        }

        var (dhcpChecks, answers) = BootPathDhcpChecks.Evaluate(firmwares.Zip(sets).ToList(), _options.Expect, _options.OfferWindow);
        var checks = new List<BootPathCheck>(dhcpChecks);
        checks.AddRange(await TftpAsync(answers, cancel).ConfigureAwait(false));
        using var http = new BootPathHttp(_options);
        checks.AddRange(await HttpBootAsync(http, answers, cancel).ConfigureAwait(false));
        checks.AddRange(await ScriptsAsync(http, answers, cancel).ConfigureAwait(false));
        return checks;
    }

    private DhcpOfferCollector OpenCollector()
    {
        try
        {
            if (_options.InterfaceName is { Length: > 0 } iface)
            {
                return DhcpOfferCollector.Broadcast(iface, bind: _options.BindUdp);
            }

            var relay = _options.RelayAddress ?? LocalAddressTowards(_options.Servers[0]);
            return DhcpOfferCollector.Relay(_options.Servers, new IPEndPoint(relay, _options.RelayPort), _options.BindUdp);
        }
        catch (SocketException ex)
        {
            var where = _options.InterfaceName is { Length: > 0 } i ? $"0.0.0.0:68 on {i}" : $"port {_options.RelayPort}";
            throw new InvalidOperationException($"cannot open the DHCP probe socket ({where}): {ex.Message}. Ports below 1024 and SO_BINDTODEVICE need root (or CAP_NET_BIND_SERVICE and CAP_NET_RAW).", ex);
        }
    }

    /// <summary>The NBP each TFTP-booting firmware was offered, fetched once per (server, file) as a PXE ROM does.</summary>
    private async Task<List<BootPathCheck>> TftpAsync(IReadOnlyList<BootPathDhcpChecks.Answer> answers, CancellationToken cancel)
    {
        var checks = new List<BootPathCheck>();
        var fetches = answers
            .Where(a => !a.Firmware.Ipxe && !a.Firmware.IsHttpBoot && a.Offer?.BootFile is { } f && !BootPathDhcpChecks.IsHttpUrl(f) && a.Offer.NextServer is not null)
            .GroupBy(a => (Server: a.Offer!.NextServer!, File: a.Offer.BootFile!))
            .ToList();
        var client = new TftpRomClient(new TftpRomClientOptions
        {
            BindSocket = _options.BindUdp,
            Deadline = _options.Timeout * 6,
        });
        foreach (var fetch in fetches)
        {
            var (server, file) = fetch.Key;
            var target = $"tftp://{server}/{file}";
            var who = string.Join(", ", fetch.Select(a => a.Firmware.Label));
            var got = await client.FetchAsync(new IPEndPoint(server, _options.TftpPort), file, cancel).ConfigureAwait(false);
            if (!got.Succeeded)
            {
                var cause = got.FailureCause switch
                {
                    TftpRomFailureCause.ServerError when got.ServerError == TftpErrorCode.FileNotFound => BootPathCause.TftpFileNotFound,
                    TftpRomFailureCause.MissingTransferSize => BootPathCause.TftpNoTransferSize,
                    TftpRomFailureCause.Timeout => BootPathCause.TftpTimeout,
                    _ => BootPathCause.TftpError,
                };
                checks.Add(BootPathCheck.Fail(BootPathStage.Tftp, target, cause, $"'{file}' offered to {who}: {got.Detail}", got.Duration));
                continue;
            }

            var summary = string.Create(CultureInfo.InvariantCulture, $"{got.Bytes} bytes (tsize {got.AnnouncedSize?.ToString(CultureInfo.InvariantCulture) ?? "-"}), blksize {got.BlockSize}, sha256 {got.Sha256[..16]}…, for {who}");
            if (_options.Expect?.NbpSha256.GetValueOrDefault(file) is { } hash && !string.Equals(hash, got.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                checks.Add(BootPathCheck.Fail(BootPathStage.Tftp, target, BootPathCause.NbpMismatch, $"sha256 {got.Sha256}, expected {hash.ToLowerInvariant()}; {summary}", got.Duration));
            }
            else if (got.Bytes == 0)
            {
                checks.Add(BootPathCheck.Fail(BootPathStage.Tftp, target, BootPathCause.NbpMismatch, $"the file is empty; {summary}", got.Duration));
            }
            else
            {
                checks.Add(BootPathCheck.Pass(BootPathStage.Tftp, target, summary, got.Duration));
            }
        }

        return checks;
    }

    /// <summary>UEFI HTTP Boot's NBP: HEAD as EDK2 does first (it reads Content-Length), GET too when a hash is expected.</summary>
    private async Task<List<BootPathCheck>> HttpBootAsync(BootPathHttp http, IReadOnlyList<BootPathDhcpChecks.Answer> answers, CancellationToken cancel)
    {
        var checks = new List<BootPathCheck>();
        foreach (var url in answers.Where(a => a.Firmware.IsHttpBoot && a.Offer?.BootFile is { } f && BootPathDhcpChecks.IsHttpUrl(f)).Select(a => a.Offer!.BootFile!).Distinct())
        {
            var head = await http.HeadAsync(new Uri(url), UefiHttpBootAgent, cancel).ConfigureAwait(false);
            var name = Path.GetFileName(new Uri(url).AbsolutePath);
            if (head.Status != 200 || head.ContentLength is null or 0)
            {
                var cause = head.Status == 404 ? BootPathCause.HttpNotFound : BootPathCause.HttpError;
                checks.Add(BootPathCheck.Fail(BootPathStage.Http, $"NBP {url}", cause, $"HEAD {url}: {(head.Status == 200 ? "no Content-Length (EDK2 HTTP Boot needs it)" : head.Describe())}", head.Duration));
                continue;
            }

            if (_options.Expect?.NbpSha256.GetValueOrDefault(name) is { } hash)
            {
                var get = await http.GetAsync(new Uri(url), UefiHttpBootAgent, cancel).ConfigureAwait(false);
                var sha = Convert.ToHexString(SHA256.HashData(get.Body)).ToLowerInvariant();
                if (!string.Equals(sha, hash, StringComparison.OrdinalIgnoreCase))
                {
                    checks.Add(BootPathCheck.Fail(BootPathStage.Http, $"NBP {url}", BootPathCause.NbpMismatch, $"sha256 {sha}, expected {hash.ToLowerInvariant()}", get.Duration));
                    continue;
                }
            }

            checks.Add(BootPathCheck.Pass(BootPathStage.Http, $"NBP {url}", $"HEAD {head.Describe()}", head.Duration));
        }

        return checks;
    }

    /// <summary>The script each iPXE probe was handed, what it fetches (HEAD), and the answer files on its kernel lines.</summary>
    private async Task<List<BootPathCheck>> ScriptsAsync(BootPathHttp http, IReadOnlyList<BootPathDhcpChecks.Answer> answers, CancellationToken cancel)
    {
        var checks = new List<BootPathCheck>();
        var scripts = answers
            .Where(a => a.Firmware.Ipxe && a.Offer?.BootFile is { } f && BootPathDhcpChecks.IsHttpUrl(f))
            .GroupBy(a => a.Offer!.BootFile!)
            .ToList();
        var followed = new HashSet<string>(StringComparer.Ordinal);
        var answerFiles = new AnswerFileChecks(http);
        foreach (var script in scripts)
        {
            var url = script.Key;
            var firmware = script.First().Firmware;
            var got = await http.GetAsync(IpxeScriptReader.RequestUri(url), IpxeAgent, cancel).ConfigureAwait(false);
            if (got.Status != 200)
            {
                checks.Add(BootPathCheck.Fail(BootPathStage.Http, $"script {url}", got.Status == 404 ? BootPathCause.HttpNotFound : BootPathCause.HttpError, $"GET {url}: {got.Describe()}", got.Duration));
                continue;
            }

            var text = got.Text;
            if (!text.StartsWith("#!ipxe", StringComparison.Ordinal))
            {
                var start = text.Length > 40 ? text[..40] : text;
                checks.Add(BootPathCheck.Fail(BootPathStage.Http, $"script {url}", BootPathCause.NotAnIpxeScript, $"GET {url}: {got.Describe()}, starts with '{start.Split('\n')[0]}'", got.Duration));
                continue;
            }

            var reader = new IpxeScriptReader(Settings(firmware));
            reader.Read(text);
            var bootable = reader.BootsOtherwise || reader.Images.Any(i => i.Command is "kernel" or "chain");
            var notFollowed = reader.Unresolved.Count == 0 ? string.Empty : $"; not followed (settings unknown before boot): {string.Join(" | ", reader.Unresolved)}";
            checks.Add(bootable
                ? BootPathCheck.Pass(BootPathStage.Http, $"script {url}", $"GET {got.Describe()}, #!ipxe, {reader.Images.Count} image(s){notFollowed}", got.Duration)
                : BootPathCheck.Fail(BootPathStage.Http, $"script {url}", BootPathCause.NothingToBoot, $"no kernel, chain, sanboot or exit in {url}{notFollowed}", got.Duration));
            foreach (var image in reader.Images)
            {
                if (followed.Add(image.Url) && Uri.TryCreate(image.Url, UriKind.Absolute, out _) && BootPathDhcpChecks.IsHttpUrl(image.Url))
                {
                    var head = await http.HeadAsync(IpxeScriptReader.RequestUri(image.Url), IpxeAgent, cancel).ConfigureAwait(false);
                    checks.Add(head.Status == 200
                        ? BootPathCheck.Pass(BootPathStage.Http, $"{image.Command} {image.Url}", $"HEAD {head.Describe()}", head.Duration)
                        : BootPathCheck.Fail(BootPathStage.Http, $"{image.Command} {image.Url}", head.Status == 404 ? BootPathCause.HttpNotFound : BootPathCause.HttpError, $"{image.Command}: HEAD {image.Url}: {head.Describe()}", head.Duration));
                }

                if (image.Command == "kernel")
                {
                    checks.AddRange(await answerFiles.CheckAsync(image.Arguments, cancel).ConfigureAwait(false));
                }
            }
        }

        return checks;
    }

    /// <summary>The settings iPXE on this firmware would know before its script runs.</summary>
    private Dictionary<string, string> Settings(BootPathFirmware firmware)
    {
        var mac = MacAddressText.Format(MacAddress);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["mac"] = mac,
            ["uuid"] = Guid.Empty.ToString("D"),
            ["buildarch"] = firmware.Kind switch
            {
                FirmwareKind.Bios => "i386",
                FirmwareKind.EfiArm64 => "arm64",
                FirmwareKind.EfiArm32 => "arm32",
                FirmwareKind.EfiIa32 => "i386",
                _ => "x86_64",
            },
            ["platform"] = firmware.Kind == FirmwareKind.Bios ? "pcbios" : "efi",
            ["manufacturer"] = "QEMU",
        };
    }

    /// <summary>The local address the kernel would send from to reach <paramref name="server"/> (a connected UDP socket sends nothing).</summary>
    private static IPAddress LocalAddressTowards(IPEndPoint server)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        return ((IPEndPoint)socket.LocalEndPoint!).Address;
    }

    /// <summary>A locally administered unicast MAC (02:…), so an anonymous probe never claims a real NIC's address.</summary>
    private static PhysicalAddress RandomLocalMac()
    {
        var bytes = new byte[6];
        RandomNumberGenerator.Fill(bytes);
        bytes[0] = 0x02;
        return new PhysicalAddress(bytes);
    }
}
