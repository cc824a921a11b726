using System.Net;
using System.Text;

namespace NodeFoundry.Simulation;

/// <summary>
/// Finds what an iPXE script would download: the URL on its first <c>kernel</c> (or <c>chain</c>) line and on its
/// first <c>initrd</c> line, with iPXE's settings a simulated node knows expanded (<c>${mac}</c>, <c>${uuid}</c>,
/// <c>${buildarch}</c>, <c>${platform}</c>) and any other <c>${…}</c> left empty, as iPXE does for unset settings.
/// Pure: text in, URLs out. Scripts that branch are read top to bottom, which is the first attempt's path in the
/// scripts NodeFoundry and ordinary hand-written ones render.
/// </summary>
public static class IpxeScriptReader
{
    private static readonly string[] KernelCommands = ["kernel", "chain", "imgexec", "boot"];
    private static readonly string[] InitrdCommands = ["initrd", "imgfetch", "module"];

    /// <summary>The kernel and initrd URLs, each null when the script names none; relative URLs resolve against <paramref name="scriptUrl"/>.</summary>
    public static (Uri? Kernel, Uri? Initrd) Read(string script, Uri scriptUrl, IpxeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(scriptUrl);
        ArgumentNullException.ThrowIfNull(settings);
        Uri? kernel = null, initrd = null;
        foreach (var raw in script.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#' || line[0] == ':')
            {
                continue;
            }

            var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var command = words[0];
            var isKernel = KernelCommands.Contains(command, StringComparer.Ordinal);
            var isInitrd = InitrdCommands.Contains(command, StringComparer.Ordinal);
            if ((!isKernel || kernel is not null) && (!isInitrd || initrd is not null))
            {
                continue;
            }

            // The image is the first word that is not an option (--name x, --timeout n, -n x); words after it are the command line.
            string? image = null;
            for (var i = 1; i < words.Length; i++)
            {
                if (words[i].StartsWith('-'))
                {
                    if (!words[i].Contains('=', StringComparison.Ordinal) && words[i] is "--name" or "-n" or "--timeout" or "-t")
                    {
                        i++;
                    }

                    continue;
                }

                image = words[i];
                break;
            }

            if (image is null || image == "||" || image == "&&")
            {
                continue;
            }

            var expanded = Expand(image, settings);
            if (!Uri.TryCreate(scriptUrl, expanded, out var url) || url.Scheme != Uri.UriSchemeHttp)
            {
                continue;
            }

            if (isKernel)
            {
                kernel = url;
            }
            else
            {
                initrd = url;
            }
        }

        return (kernel, initrd);
    }

    /// <summary>Replaces <c>${name}</c> (and <c>${name:type}</c>) with the node's value, or nothing.</summary>
    public static string Expand(string text, IpxeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(settings);
        var result = new StringBuilder(text.Length);
        var at = 0;
        while (at < text.Length)
        {
            var open = text.IndexOf("${", at, StringComparison.Ordinal);
            var close = open < 0 ? -1 : text.IndexOf('}', open);
            if (close < 0)
            {
                result.Append(text, at, text.Length - at);
                break;
            }

            result.Append(text, at, open - at);
            var name = text[(open + 2)..close];
            var colon = name.IndexOf(':', StringComparison.Ordinal);
            result.Append(settings.Get(colon < 0 ? name : name[..colon]));
            at = close + 1;
        }

        return result.ToString();
    }
}

/// <summary>The iPXE settings a simulated node answers in scripts.</summary>
public sealed record IpxeSettings(string Mac, Guid Uuid, IPAddress? Address, string BuildArch = "x86_64", string Platform = "pcbios")
{
    public string Get(string name) => name switch
    {
        "mac" or "net0/mac" => Mac,
        "uuid" => Uuid.ToString(),
        "buildarch" => BuildArch,
        "platform" => Platform,
        "ip" or "net0/ip" => Address?.ToString() ?? "",
        _ => "",
    };
}
