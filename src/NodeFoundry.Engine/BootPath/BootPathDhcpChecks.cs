using System.Globalization;
using System.Net;
using NodeFoundry.Boot;
using NodeFoundry.Probe;

namespace NodeFoundry.BootPath;

/// <summary>
/// Judges collected OFFERs, purely (no sockets): one check for the servers on the segment, one per firmware.
/// The seed reference's first acceptance step: the DHCP server answers and offers the right NBP.
/// </summary>
public static class BootPathDhcpChecks
{
    /// <summary>Where a firmware's probe led: the offer judged for it (null when none came).</summary>
    public sealed record Answer(BootPathFirmware Firmware, ReceivedOffer? Offer);

    /// <summary>The checks for <paramref name="sets"/> (one per firmware, same order) and the offer chosen for each.</summary>
    public static (IReadOnlyList<BootPathCheck> Checks, IReadOnlyList<Answer> Answers) Evaluate(
        IReadOnlyList<(BootPathFirmware Firmware, DhcpOfferSet Set)> sets, BootPathExpectations? expect, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var checks = new List<BootPathCheck> { Servers(sets.SelectMany(s => s.Set.Offers).ToList()) };
        var answers = new List<Answer>();
        var firmwareLoaders = new Dictionary<ushort, string>();
        foreach (var (firmware, set) in sets)
        {
            var offer = Choose(set.Offers, expect);
            answers.Add(new Answer(firmware, offer));
            if (!firmware.Ipxe && offer?.BootFile is { } file)
            {
                firmwareLoaders[firmware.Architecture] = file;
            }
        }

        foreach (var (firmware, set) in sets)
        {
            var offer = answers.First(a => a.Firmware == firmware).Offer;
            checks.Add(firmware.Ipxe
                ? Ipxe(firmware, set, offer, expect, firmwareLoaders.GetValueOrDefault(firmware.Architecture), window)
                : Firmware(firmware, set, offer, expect, window));
        }

        return (checks, answers);
    }

    /// <summary>
    /// Pick one DHCP authority per segment (the seed): more than one server offering addresses is a failure,
    /// each reported by its server identifier. ProxyDHCP offers (no address, boot information only) don't count.
    /// </summary>
    public static BootPathCheck Servers(IReadOnlyList<ReceivedOffer> offers)
    {
        ArgumentNullException.ThrowIfNull(offers);
        var authorities = offers.Where(o => o.OffersAddress).Select(o => o.Server).Distinct().ToList();
        var proxies = offers.Where(o => !o.OffersAddress).Select(o => o.Server).Distinct().Except(authorities).ToList();
        var proxyText = proxies.Count == 0 ? string.Empty : $"; proxyDHCP (boot information only): {string.Join(", ", proxies)}";
        if (authorities.Count > 1)
        {
            return BootPathCheck.Fail(BootPathStage.Dhcp, "DHCP servers", BootPathCause.MoreThanOneDhcpServer,
                $"{authorities.Count} servers offered addresses, server identifiers (option 54) {string.Join(" and ", authorities)}: a rogue or a second authoritative server{proxyText}");
        }

        if (authorities.Count == 0 && proxies.Count == 0)
        {
            return BootPathCheck.Fail(BootPathStage.Dhcp, "DHCP servers", BootPathCause.NoDhcpOffer, "no server answered any probe");
        }

        return BootPathCheck.Pass(BootPathStage.Dhcp, "DHCP servers",
            authorities.Count == 1 ? $"one DHCP server: {authorities[0]}{proxyText}" : $"no address offered{proxyText}");
    }

    /// <summary>The expected boot server's offer when it answered (with a boot file first), else the first with a boot file, else the first.</summary>
    private static ReceivedOffer? Choose(IReadOnlyList<ReceivedOffer> offers, BootPathExpectations? expect)
    {
        var fromServer = expect?.BootServer is { } server
            ? offers.Where(o => o.Server.Equals(server) || server.Equals(o.NextServer)).ToList()
            : [];
        var pool = fromServer.Count > 0 ? fromServer : offers;
        return pool.FirstOrDefault(o => o.BootFile is not null) ?? pool.FirstOrDefault();
    }

    private static BootPathCheck Firmware(BootPathFirmware firmware, DhcpOfferSet set, ReceivedOffer? offer, BootPathExpectations? expect, TimeSpan window)
    {
        if (offer is null)
        {
            return NoOffer(firmware, window);
        }

        var problems = new List<(BootPathCause Cause, string Evidence)>();
        var file = offer.BootFile;
        var expected = expect?.Loaders.GetValueOrDefault(firmware.Kind);
        if (file is null)
        {
            problems.Add((BootPathCause.NoBootFile, $"no boot file for {firmware.Label}{(expected is null ? string.Empty : $", expected '{expected}'")}"));
        }
        else if (firmware.IsHttpBoot)
        {
            if (!IsHttpUrl(file))
            {
                problems.Add((BootPathCause.BootFileNotUrl, $"UEFI HTTP Boot was offered '{file}'"));
            }

            if (!string.Equals(offer.Packet.VendorClassIdentifier, "HTTPClient", StringComparison.Ordinal))
            {
                problems.Add((BootPathCause.HttpClientNotEchoed, $"option 60 is '{offer.Packet.VendorClassIdentifier ?? "(absent)"}'; the firmware ignores an offer without HTTPClient"));
            }
        }

        if (file is not null && !firmware.IsHttpBoot && IsHttpUrl(file))
        {
            problems.Add((BootPathCause.WrongNbpForFirmware, $"a PXE ROM speaks TFTP only, but {firmware.Label} was offered '{file}'"));
        }
        else if (file is not null && expected is not null && !SameFile(file, expected))
        {
            problems.Add((BootPathCause.WrongNbpForFirmware, $"{firmware.Label} was offered '{file}', expected '{expected}'"));
        }
        else if (file is not null && expected is null && WrongFamily(firmware, file) is { } why)
        {
            problems.Add((BootPathCause.WrongNbpForFirmware, why));
        }

        if (file is not null && !firmware.IsHttpBoot && !IsHttpUrl(file))
        {
            if (offer.NextServer is not { } next)
            {
                problems.Add((BootPathCause.NoNextServer, $"'{file}' is to be fetched over TFTP but siaddr is 0.0.0.0 and there is no option 66"));
            }
            else if (expect?.BootServer is { } server && !server.Equals(next))
            {
                problems.Add((BootPathCause.WrongNextServer, $"next-server {next}, expected {server}"));
            }
        }

        var seen = Describe(offer, set);
        return problems.Count == 0
            ? BootPathCheck.Pass(BootPathStage.Dhcp, firmware.Label, seen, offer.After)
            : BootPathCheck.Fail(BootPathStage.Dhcp, firmware.Label, problems[0].Cause, $"{string.Join("; ", problems.Select(p => p.Evidence))} ({seen})", offer.After);
    }

    private static BootPathCheck Ipxe(BootPathFirmware firmware, DhcpOfferSet set, ReceivedOffer? offer, BootPathExpectations? expect, string? firmwareLoader, TimeSpan window)
    {
        if (offer is null)
        {
            return NoOffer(firmware, window);
        }

        var file = offer.BootFile;
        var seen = Describe(offer, set);
        if (file is null)
        {
            return BootPathCheck.Fail(BootPathStage.Dhcp, firmware.Label, BootPathCause.NoBootFile, $"iPXE got no boot file, expected a script URL ({seen})", offer.After);
        }

        if (!IsHttpUrl(file) && (LooksLikeLoader(file) || (firmwareLoader is not null && SameFile(file, firmwareLoader))))
        {
            return BootPathCheck.Fail(BootPathStage.Dhcp, firmware.Label, BootPathCause.MissingIpxeLoopBreak,
                $"iPXE (user class iPXE, option 175) was handed the loader '{file}' again instead of the script URL, so it chain-loads itself forever ({seen})", offer.After);
        }

        if (expect?.ScriptUrl is { } url && !string.Equals(file, url, StringComparison.Ordinal))
        {
            return BootPathCheck.Fail(BootPathStage.Dhcp, firmware.Label, BootPathCause.WrongScriptUrl, $"iPXE was given '{file}', expected '{url}' ({seen})", offer.After);
        }

        return BootPathCheck.Pass(BootPathStage.Dhcp, firmware.Label, seen, offer.After);
    }

    private static BootPathCheck NoOffer(BootPathFirmware firmware, TimeSpan window) =>
        BootPathCheck.Fail(BootPathStage.Dhcp, firmware.Label, BootPathCause.NoDhcpOffer,
            string.Create(CultureInfo.InvariantCulture, $"nothing answered a DISCOVER with option 93 = {firmware.Architecture}, option 60 '{firmware.VendorClass}'{(firmware.Ipxe ? ", user class iPXE" : string.Empty)} within {window.TotalSeconds:0.#} s"),
            window);

    private static string Describe(ReceivedOffer offer, DhcpOfferSet set)
    {
        var text = $"'{offer.BootFile ?? "(no boot file)"}' next-server {offer.NextServer?.ToString() ?? "-"} option 60 {offer.Packet.VendorClassIdentifier ?? "-"} from {offer.Server}";
        return set.Offers.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $"{text}, {set.Offers.Count} offers") : text;
    }

    internal static bool IsHttpUrl(string file) =>
        file.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || file.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Offered and expected name the same file: TFTP servers treat a leading '/' as the root.</summary>
    private static bool SameFile(string offered, string expected) =>
        string.Equals(offered.TrimStart('/'), expected.TrimStart('/'), StringComparison.Ordinal);

    /// <summary>An NBP name (iPXE, PXELINUX, GRUB, shim builds) rather than a script.</summary>
    private static bool LooksLikeLoader(string file) =>
        file.EndsWith(".kpxe", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".pxe", StringComparison.OrdinalIgnoreCase)
        || file.EndsWith(".efi", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".0", StringComparison.Ordinal);

    /// <summary>Without a fleet file, only the firmware family can be judged: BIOS cannot run EFI binaries, UEFI cannot run PXE/UNDI ones.</summary>
    private static string? WrongFamily(BootPathFirmware firmware, string file)
    {
        var efi = file.EndsWith(".efi", StringComparison.OrdinalIgnoreCase);
        var bios = file.EndsWith(".kpxe", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".pxe", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".0", StringComparison.Ordinal);
        return firmware.Kind switch
        {
            FirmwareKind.Bios when efi => $"legacy BIOS ({firmware.Label}) was offered the UEFI binary '{file}'",
            not FirmwareKind.Bios and not FirmwareKind.BiosHttp when bios => $"UEFI ({firmware.Label}) was offered the BIOS binary '{file}'",
            _ => null,
        };
    }
}
