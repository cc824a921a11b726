using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;
using NodeFoundry.Boot;
using NodeFoundry.Fleet;
using NodeFoundry.Probe;
using NodeFoundry.Timeline;

namespace NodeFoundry.Host;

/// <summary>
/// Walks one simulated client through the boot as its firmware and iPXE would, prints each step, and
/// counts the steps whose result differs from what the fleet file prescribes. Expectations are derived
/// from the fleet file and the documented URL layout (docs/http-routes.md), never from the renderers or
/// the policy code under test; file contents are compared with the stand-ins the demo wrote.
/// </summary>
internal sealed class DemoWalker(FleetConfig fleet, DhcpProbeClient probe, IPEndPoint tftpServer, BootTimeline timeline, TextWriter output)
{
    public int Failures { get; private set; }

    public async Task WalkAsync(FleetNode node, ushort arch, string firmwareLabel, CancellationToken cancel)
    {
        var label = $"{node.Name} ({firmwareLabel})";
        var firmware = await DhcpAsync(label, "firmware DHCP", node, new DhcpProbeRequest(node.MacAddress, arch) { CompleteLease = true }).ConfigureAwait(false);
        if (firmware?.Ack?.YourAddress is not { } address)
        {
            return;
        }

        var kind = ClientArchitecture.ToFirmwareKind(arch);
        var loader = fleet.Boot.Loaders[kind];
        if (loader.StartsWith("{http}", StringComparison.Ordinal))
        {
            // UEFI HTTP Boot: HEAD for the size, then GET, from the address it was given.
            using var firmwareHttp = new DemoHttpClient(address, "UefiHttpBoot/1.0");
            var relative = loader["{http}".Length..];
            await FetchFileAsync(firmwareHttp, label, "NBP (HTTP)", firmware.BootFile ?? string.Empty, relative, head: true, cancel).ConfigureAwait(false);
        }
        else
        {
            await FetchNbpAsync(label, address, firmware.BootFile ?? string.Empty, loader, uefi: arch != 0, cancel).ConfigureAwait(false);
        }

        // Firmware starts the NBP only once it has it all; the server reports the transfer when the last ACK
        // arrives, so wait for the timeline to see it rather than race iPXE's DHCP past it.
        try
        {
            await timeline.WaitForStageAsync(BootStage.NbpFetched, [node.MacAddress], TimeSpan.FromSeconds(5), cancel).ConfigureAwait(false);
        }
        catch (BootStageTimeoutException ex)
        {
            await ReportAsync(label, "timeline", ex.Message, "the NBP download never reached the timeline").ConfigureAwait(false);
        }

        var ipxe = await DhcpAsync(label, "iPXE DHCP", node, new DhcpProbeRequest(node.MacAddress, arch == 16 ? (ushort)7 : arch, Ipxe: true) { CompleteLease = true }).ConfigureAwait(false);
        if (ipxe?.Ack?.YourAddress is not { } ipxeAddress)
        {
            return;
        }

        using var client = new DemoHttpClient(ipxeAddress, "iPXE/1.21.1 (NodeFoundry demo)");
        var profile = fleet.FindProfile(node.Profile);
        await ScriptAsync(client, label, profile, ipxe.BootFile ?? string.Empty, cancel).ConfigureAwait(false);
        if (profile is null)
        {
            return;
        }

        foreach (var (step, path) in new[] { ("kernel", profile.Kernel), ("initrd", profile.Initrd) })
        {
            if (path is not null)
            {
                await FetchFileAsync(client, label, step, Url(path), path, head: false, cancel).ConfigureAwait(false);
            }
        }

        foreach (var (route, mustContain) in AnswerFiles(profile.Os, node.MacAddress))
        {
            var (status, body, error) = await client.SendAsync(HttpMethod.Get, Url(route), cancel).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(body);
            await ReportAsync(label, "answer file", $"GET {route} → {Status(status, error)} {body.Length} B", status == 200 && text.Contains(mustContain, StringComparison.Ordinal) ? null : $"expected 200 with '{mustContain}'").ConfigureAwait(false);
        }

        var phoneHome = "phone-home/" + MacAddressText.Format(node.MacAddress);
        var (phoneStatus, _, phoneError) = await client.SendAsync(HttpMethod.Get, Url(phoneHome), cancel).ConfigureAwait(false);
        await ReportAsync(label, "phone-home", $"GET {phoneHome} → {Status(phoneStatus, phoneError)}", phoneStatus is >= 200 and < 300 ? null : "expected 2xx").ConfigureAwait(false);
    }

    /// <summary>A PXE client the fleet does not know: firmware DHCP only (it gets the PXE range and the loader).</summary>
    public async Task WalkUnknownAsync(PhysicalAddress mac)
    {
        await DhcpAsync("unknown (UEFI x64, arch 9)", "firmware DHCP", null, new DhcpProbeRequest(mac, 9) { CompleteLease = true }).ConfigureAwait(false);
    }

    private string Url(string relative) => relative.Contains("://", StringComparison.Ordinal) ? relative : BootRoutes.Absolute(fleet.Boot.HttpBaseUrl, relative);

    private static string Status(int status, string? error) => error ?? status.ToString(CultureInfo.InvariantCulture);

    /// <summary>The answer files the fleet's <c>os</c> implies (docs/http-routes.md) and a text each must contain.</summary>
    private static IEnumerable<(string Route, string MustContain)> AnswerFiles(string os, PhysicalAddress mac)
    {
        var m = MacAddressText.Format(mac);
        return os switch
        {
            "ubuntu" => [($"nocloud/{m}/user-data", "autoinstall:"), ($"nocloud/{m}/meta-data", "instance-id:")],
            "rhel" => [($"ks/{m}.cfg", "%post")],
            "debian" => [($"preseed/{m}.cfg", "d-i ")],
            _ => [],
        };
    }

    private async Task<DhcpProbeResult?> DhcpAsync(string label, string step, FleetNode? node, DhcpProbeRequest request)
    {
        var result = probe.Probe(request);
        var problems = Compare(result, Expect(node, request));
        await ReportAsync(
            label,
            step,
            $"{result.Ack?.YourAddress?.ToString() ?? result.OfferedAddress?.ToString() ?? "-",-14} next-server {result.NextServer?.ToString() ?? "-",-10} opt60 {result.VendorClass ?? "-",-10} {result.BootFile ?? "-"}",
            problems.Count == 0 ? null : string.Join("; ", problems)).ConfigureAwait(false);
        return problems.Count == 0 ? result : null;
    }

    private async Task FetchNbpAsync(string label, IPAddress address, string bootFile, string loader, bool uefi, CancellationToken cancel)
    {
        var client = new TftpRomClient(new TftpRomClientOptions { LocalAddress = address, KeepContent = true, Deadline = TimeSpan.FromSeconds(30) });
        var result = uefi
            ? await client.FetchOvmfStyleAsync(tftpServer, bootFile, cancel).ConfigureAwait(false)
            : await client.FetchAsync(tftpServer, bootFile, cancel).ConfigureAwait(false);
        string? problem = !result.Succeeded ? result.ToString()
            : result.Content is not { } content || !content.Span.SequenceEqual(DemoLab.StandIn(loader)) ? $"{result.Bytes} bytes that are not the stand-in for {loader}"
            : null;
        await ReportAsync(label, "NBP (TFTP)", $"{bootFile} {result.Bytes} B blksize {result.BlockSize}{(uefi ? " (tsize probe, then download)" : string.Empty)}", problem).ConfigureAwait(false);
    }

    private async Task FetchFileAsync(DemoHttpClient client, string label, string step, string url, string relative, bool head, CancellationToken cancel)
    {
        var expected = DemoLab.StandIn(relative.TrimStart('/'));
        if (head)
        {
            var (headStatus, _, headError) = await client.SendAsync(HttpMethod.Head, url, cancel).ConfigureAwait(false);
            if (headStatus != 200)
            {
                await ReportAsync(label, step, $"HEAD {url} → {Status(headStatus, headError)}", "expected 200").ConfigureAwait(false);
                return;
            }
        }

        var (status, body, error) = await client.SendAsync(HttpMethod.Get, url, cancel).ConfigureAwait(false);
        await ReportAsync(
            label,
            step,
            $"{(head ? "HEAD+" : string.Empty)}GET {url} → {Status(status, error)} {body.Length} B",
            status == 200 && body.AsSpan().SequenceEqual(expected) ? null : $"expected 200 with the {expected.Length} B stand-in for {relative}").ConfigureAwait(false);
    }

    private async Task ScriptAsync(DemoHttpClient client, string label, BootProfile? profile, string scriptUrl, CancellationToken cancel)
    {
        var (status, body, error) = await client.SendAsync(HttpMethod.Get, scriptUrl, cancel).ConfigureAwait(false);
        var line = $"GET {scriptUrl} → {Status(status, error)} {body.Length} B";

        var text = Encoding.UTF8.GetString(body);
        var problems = new List<string>();
        if (status != 200 || !text.StartsWith("#!ipxe", StringComparison.Ordinal))
        {
            problems.Add("expected 200 with an iPXE script (#!ipxe)");
        }

        foreach (var path in new[] { profile?.Kernel, profile?.Initrd })
        {
            if (path is not null && !text.Contains(Url(path), StringComparison.Ordinal))
            {
                problems.Add($"the script does not fetch {Url(path)}");
            }
        }

        await ReportAsync(label, "script", line, problems.Count == 0 ? null : string.Join("; ", problems)).ConfigureAwait(false);
    }

    private async Task ReportAsync(string label, string step, string what, string? problem)
    {
        Failures += problem is null ? 0 : 1;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{label,-26} {step,-14} {what}  {(problem is null ? "ok" : "WRONG: " + problem)}")).ConfigureAwait(false);
    }

    private sealed record Expectation(IPAddress? ExactAddress, AddressRange? Range, string BootFile, string VendorClass, IPAddress NextServer);

    /// <summary>What the fleet file says this client must get, derived from the file, not from the policy code.</summary>
    private Expectation Expect(FleetNode? node, DhcpProbeRequest request)
    {
        var scope = fleet.Dhcp.Scopes[0];
        var kind = ClientArchitecture.ToFirmwareKind(request.Architecture ?? 0);
        var http = request.Architecture is 16;
        var mac = string.Join(':', request.MacAddress.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        var bootFile = request.Ipxe
            ? fleet.Boot.IpxeScriptUrl.Replace("{http}", fleet.Boot.HttpBaseUrl, StringComparison.Ordinal).Replace("{mac}", mac, StringComparison.Ordinal)
            : fleet.Boot.Loaders[kind].Replace("{http}", fleet.Boot.HttpBaseUrl, StringComparison.Ordinal);
        return new Expectation(node?.Address, node?.Address is null ? scope.PxeRange : null, bootFile, http ? "HTTPClient" : "PXEClient", fleet.Server.Address);
    }

    private static List<string> Compare(DhcpProbeResult result, Expectation expected)
    {
        var problems = new List<string>();
        if (result.Failure is not null)
        {
            problems.Add(result.Failure);
            return problems;
        }

        var address = result.Ack?.YourAddress;
        if (expected.ExactAddress is not null && !expected.ExactAddress.Equals(address))
        {
            problems.Add($"address {address}, expected reservation {expected.ExactAddress}");
        }

        if (expected.Range is not null && (address is null || !expected.Range.Contains(address)))
        {
            problems.Add($"address {address}, expected one from the PXE range {expected.Range.Start}-{expected.Range.End}");
        }

        if (result.BootFile != expected.BootFile)
        {
            problems.Add($"boot file '{result.BootFile}', expected '{expected.BootFile}'");
        }

        if (result.VendorClass != expected.VendorClass)
        {
            problems.Add($"option 60 '{result.VendorClass}', expected '{expected.VendorClass}'");
        }

        if (!expected.NextServer.Equals(result.NextServer))
        {
            problems.Add($"next-server {result.NextServer}, expected {expected.NextServer}");
        }

        return problems;
    }
}
