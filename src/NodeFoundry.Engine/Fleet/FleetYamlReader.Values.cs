using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NodeFoundry.Boot;
using NodeFoundry.Yaml;
using NodeFoundry.Net;

namespace NodeFoundry.Fleet;

/// <summary>Typed values of the fleet file: addresses, subnets, ports, durations, MACs, UUIDs, loaders and URL templates.</summary>
internal sealed partial class FleetYamlReader
{
    // ---------------------------------------------------------------- value checks

    private bool CheckLoader(string path, string loader, FirmwareKind? kind)
    {
        if (string.IsNullOrWhiteSpace(loader))
        {
            _diag.At(path, "The loader is empty.",
                "Name a loader such as ipxe.efi, or write '~' (null) to give this firmware kind no boot answer at all.");
            return false;
        }

        if (!CheckTemplate(path, loader))
        {
            return false;
        }

        bool isUrl = IsUrl(loader);
        if (kind is FirmwareKind k && FirmwareKindNames.IsHttpBoot(k) && !isUrl)
        {
            _diag.At(path, $"'{loader}' is not a URL, but {FirmwareKindNames.ToName(k)} firmware (HTTP Boot) must be given a full URL.",
                $"Prefix it with {{http}} (the HTTP base URL): '{{http}}{loader.TrimStart('/')}'.");
            return false;
        }

        if (kind is FirmwareKind t && !FirmwareKindNames.IsHttpBoot(t) && isUrl)
        {
            _diag.At(path, $"'{loader}' is a URL, but {FirmwareKindNames.ToName(t)} firmware fetches its loader over TFTP and cannot follow it.",
                "Give a path relative to the TFTP root such as ipxe.efi; put URLs under the *-http keys (for example efi-x64-http) for UEFI HTTP Boot.");
            return false;
        }

        if (!isUrl && (loader.Contains('\\', StringComparison.Ordinal) || loader.Split('/').Contains("..")))
        {
            _diag.At(path, $"'{loader}' leaves the TFTP root or uses backslashes.",
                "Give a path inside the TFTP root with forward slashes, such as efi/ipxe.efi.");
            return false;
        }

        return true;
    }

    private bool CheckUrlTemplate(string path, string template)
    {
        if (!CheckTemplate(path, template))
        {
            return false;
        }

        if (!IsUrl(template))
        {
            _diag.At(path, $"'{template}' is not a URL.",
                "Start it with {http} (the HTTP base URL) or http://, such as {http}boot/{mac}.ipxe.");
            return false;
        }

        return true;
    }

    private static bool IsUrl(string text) =>
        text.StartsWith(BootSettings.HttpPlaceholder, StringComparison.Ordinal)
        || text.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks that every {placeholder} is known. iPXE's own ${setting} syntax is left alone.</summary>
    private bool CheckTemplate(string path, string template)
    {
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '}')
            {
                _diag.At(path, $"'{template}' has a '}}' without a matching '{{'.",
                    $"Remove the stray '}}'; placeholders are {string.Join(", ", BootSettings.Placeholders)}.");
                return false;
            }

            if (c != '{')
            {
                continue;
            }

            int close = template.IndexOf('}', i + 1);
            if (close < 0)
            {
                _diag.At(path, $"'{template}' has a '{{' that is never closed.",
                    $"Close the placeholder; placeholders are {string.Join(", ", BootSettings.Placeholders)}.");
                return false;
            }

            bool ipxeSetting = i > 0 && template[i - 1] == '$';
            string placeholder = template[i..(close + 1)];
            if (!ipxeSetting && !BootSettings.Placeholders.Contains(placeholder, StringComparer.Ordinal))
            {
                string? suggestion = Suggestions.Closest(placeholder, BootSettings.Placeholders);
                _diag.At(path, $"'{template}' uses the unknown placeholder {placeholder}.",
                    suggestion is not null
                        ? $"Did you mean {suggestion}? Placeholders are {string.Join(", ", BootSettings.Placeholders)}."
                        : $"Use one of {string.Join(", ", BootSettings.Placeholders)} (or iPXE's own ${{...}} settings).");
                return false;
            }

            i = close;
        }

        return true;
    }

    // ---------------------------------------------------------------- typed getters

    private string? Text(Map map, string key, string expectation)
    {
        YamlNode? node = map.Value(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? string.Empty;
        }

        NotScalar(node, map.Child(key), key, expectation);
        return null;
    }

    private string? NonEmptyText(Map map, string key, string expectation)
    {
        string? text = Text(map, key, expectation);
        if (text is not null && string.IsNullOrWhiteSpace(text))
        {
            _diag.At(map.Child(key), $"'{key}' is empty.", $"Write {expectation}, or remove the '{key}:' line.");
            return null;
        }

        return text;
    }

    private string? PathText(Map map, string key, string example)
    {
        string? text = NonEmptyText(map, key, $"a folder such as {example} (relative paths are resolved against the fleet file's folder)");
        if (text is not null && text.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            _diag.At(map.Child(key), $"'{text}' contains characters a path cannot hold.", $"Write a folder path such as {example}.");
            return null;
        }

        return text;
    }

    private string? HttpPath(Map map, string key, string example)
    {
        string? text = NonEmptyText(map, key, $"a path under the HTTP root such as {example}");
        if (text is null || IsUrl(text))
        {
            return text is not null && CheckTemplate(map.Child(key), text) ? text : null;
        }

        if (text.Contains('\\', StringComparison.Ordinal) || text.Split('/').Contains(".."))
        {
            _diag.At(map.Child(key), $"'{text}' leaves the HTTP root or uses backslashes.",
                $"Give a path inside the HTTP root with forward slashes, such as {example}.");
            return null;
        }

        return text;
    }

    private IPAddress? Ipv4Value(Map map, string key, string example)
    {
        string? text = Text(map, key, $"an IPv4 address such as {example}");
        return text is null ? null : ParseIpv4(map.Child(key), text, example);
    }

    private IPAddress? ParseIpv4(string path, string text, string example)
    {
        if (Ipv4.TryParse(text, out IPAddress address))
        {
            return address;
        }

        if (IPAddress.TryParse(text, out IPAddress? other) && other.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _diag.At(path, $"'{text}' is an IPv6 address; NodeFoundry's boot network is IPv4.", $"Use an IPv4 address such as {example}.");
        }
        else
        {
            _diag.At(path, $"'{text}' is not an IPv4 address.",
                $"Write four dot-separated numbers from 0 to 255 without leading zeros, such as {example}.");
        }

        return null;
    }

    private List<(IPAddress Address, string Path)> Ipv4List(Map map, string key, string example)
    {
        var result = new List<(IPAddress, string)>();
        YamlNode? node = map.Value(key);
        string path = map.Child(key);
        switch (node)
        {
            case null:
                break;
            case YamlScalarNode scalar:
                if (ParseIpv4(path, scalar.Value ?? string.Empty, example) is IPAddress single)
                {
                    result.Add((single, path));
                }

                break;
            case YamlSequenceNode sequence:
                for (int i = 0; i < sequence.Children.Count; i++)
                {
                    string itemPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]");
                    YamlNode item = sequence.Children[i];
                    _diag.Remember(itemPath, item);
                    if (item is YamlScalarNode itemScalar && !IsNull(item))
                    {
                        if (ParseIpv4(itemPath, itemScalar.Value ?? string.Empty, example) is IPAddress address)
                        {
                            result.Add((address, itemPath));
                        }
                    }
                    else
                    {
                        _diag.At(item, itemPath, $"Each entry of '{key}' must be one IPv4 address.", $"Write a list of addresses, such as [{example}].");
                    }
                }

                break;
            default:
                _diag.At(node, path, $"'{key}' must be an IPv4 address or a list of them, not a mapping.", $"Write a list of addresses, such as [{example}].");
                break;
        }

        return result;
    }

    private IPNetwork? Subnet(Map map, string key)
    {
        string? text = Text(map, key, "a subnet such as 192.0.2.0/24");
        if (text is null)
        {
            return null;
        }

        string path = map.Child(key);
        const string Fix = "Write the network address and prefix length, such as 192.0.2.0/24.";
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            _diag.At(path, $"'{text}' has no prefix length.", Ipv4.TryParse(text, out _) ? $"Add the prefix length, such as {text}/24." : Fix);
            return null;
        }

        string prefixText = text[(slash + 1)..];
        int prefix = prefixText.Length is > 0 and <= 2 && prefixText.All(char.IsAsciiDigit)
            ? int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture)
            : -1;
        if (!Ipv4.TryParse(text[..slash], out IPAddress address) || prefix is < 0 or > 32)
        {
            _diag.At(path, $"'{text}' is not an IPv4 subnet.", Fix);
            return null;
        }

        uint bits = Ipv4.ToUInt32(address);
        uint network = bits & Ipv4.Mask(prefix);
        if (network != bits)
        {
            _diag.At(path, $"'{text}' has host bits set.",
                string.Create(CultureInfo.InvariantCulture, $"Write the network address: {Ipv4.FromUInt32(network)}/{prefix}."));
            return null;
        }

        if (prefix > 30)
        {
            _diag.At(path, $"'{text}' is too small to serve: a /{prefix} leaves no addresses to lease.",
                "Use a prefix of /30 or shorter, such as /24.");
            return null;
        }

        return new IPNetwork(address, prefix);
    }

    private string? DomainName(Map map, string key)
    {
        string? text = NonEmptyText(map, key, "a DNS domain such as lab.example");
        if (text is not null && !IsHostName(text.TrimEnd('.')))
        {
            _diag.At(map.Child(key), $"'{text}' is not a valid DNS domain name.", "Use dot-separated labels of letters, digits and '-', such as lab.example.");
            return null;
        }

        return text;
    }

    private int? Port(Map map, string key, string example)
    {
        string? text = Text(map, key, $"a port number such as {example}");
        if (text is null)
        {
            return null;
        }

        if (text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit)
            && int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) is >= 1 and <= 65535 and var port)
        {
            return port;
        }

        _diag.At(map.Child(key), $"'{text}' is not a port number.", $"Use a whole number from 1 to 65535, such as {example}.");
        return null;
    }

    private int? Integer(Map map, string key, int min, int max, string example)
    {
        string? text = Text(map, key, $"a whole number such as {example}");
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
        {
            return value;
        }

        string bounds = max == int.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"{min} or more")
            : string.Create(CultureInfo.InvariantCulture, $"from {min} to {max}");
        _diag.At(map.Child(key), $"'{text}' is not a whole number {bounds}.", $"Use a whole number {bounds}, such as {example}.");
        return null;
    }

    private TimeSpan? Duration(Map map, string key, string example)
    {
        string? text = Text(map, key, $"a duration such as {example}");
        if (text is null)
        {
            return null;
        }

        if (!FleetDuration.TryParse(text, out TimeSpan duration))
        {
            _diag.At(map.Child(key), $"'{text}' is not a duration.",
                $"Write a number with a unit (s, m, h, d), largest unit first, such as {example}, 1h30m or 300 (bare seconds).");
            return null;
        }

        if (duration <= TimeSpan.Zero)
        {
            _diag.At(map.Child(key), $"'{text}' is zero; '{key}' must be positive.", $"Use a positive duration such as {example}.");
            return null;
        }

        return duration;
    }

    private bool? Bool(Map map, string key)
    {
        string? text = Text(map, key, "true or false");
        if (text is null)
        {
            return null;
        }

        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        _diag.At(map.Child(key), $"'{text}' is not true or false.", "Write true or false.");
        return null;
    }

    private bool TryChoice<T>(Map map, string key, (string Name, T Value)[] choices, out T value)
    {
        value = default!;
        string? text = Text(map, key, string.Join(" or ", choices.Select(c => c.Name)));
        if (text is null)
        {
            return false;
        }

        string normalised = text.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
        foreach ((string name, T choice) in choices)
        {
            if (string.Equals(name.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal), normalised, StringComparison.OrdinalIgnoreCase))
            {
                value = choice;
                return true;
            }
        }

        string names = string.Join(", ", choices.Select(c => c.Name));
        string? suggestion = Suggestions.Closest(text, choices.Select(c => c.Name));
        _diag.At(map.Child(key), $"'{text}' is not a valid {key}.",
            suggestion is not null ? $"Did you mean '{suggestion}'? Valid values: {names}." : $"Use one of: {names}.");
        return false;
    }

    private PhysicalAddress? Mac(Map map, string key)
    {
        string? text = Text(map, key, "a MAC address such as 52:54:00:00:00:01");
        if (text is null)
        {
            return null;
        }

        if (!MacAddressText.TryParse(text, out PhysicalAddress mac))
        {
            _diag.At(map.Child(key), $"'{text}' is not a MAC address.",
                "Write six hex pairs such as 52:54:00:00:00:01 (52-54-00-00-00-01 and 525400000001 also work).");
            return null;
        }

        if (MacAddressText.IsMulticast(mac))
        {
            _diag.At(map.Child(key), $"'{text}' is a multicast or broadcast MAC address, which no network card boots from.",
                "Copy the boot NIC's own address (its first byte is even), such as 52:54:00:00:00:01.");
            return null;
        }

        return mac;
    }

    private Guid? Uuid(Map map, string key)
    {
        string? text = Text(map, key, "a UUID such as 4c4c4544-0042-3610-8031-b4c04f4e3232");
        if (text is null)
        {
            return null;
        }

        if (Guid.TryParseExact(text, "D", out Guid uuid) || Guid.TryParseExact(text, "N", out uuid) || Guid.TryParseExact(text, "B", out uuid))
        {
            return uuid;
        }

        _diag.At(map.Child(key), $"'{text}' is not a UUID.",
            "Copy the system UUID as 'dmidecode -s system-uuid' prints it: 32 hex digits in groups 8-4-4-4-12, such as 4c4c4544-0042-3610-8031-b4c04f4e3232.");
        return null;
    }
}
