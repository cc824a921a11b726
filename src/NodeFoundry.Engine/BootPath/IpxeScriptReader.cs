using System.Text;

namespace NodeFoundry.BootPath;

/// <summary>An image an iPXE script fetches: the command (kernel, initrd, chain, …), the URL, and the arguments after it.</summary>
public sealed record IpxeImageCommand(string Command, string Url, IReadOnlyList<string> Arguments);

/// <summary>
/// Reads an iPXE script the way a boot-path check needs: which URLs it fetches with <c>kernel</c>, <c>initrd</c>,
/// <c>chain</c>, <c>imgfetch</c>, <c>module</c> (and their long names), with iPXE's <c>${…}</c> settings
/// expanded as the client would (<c>set</c> lines included, control flow ignored). URLs with settings it
/// cannot know are returned in <see cref="Unresolved"/>, never guessed.
/// </summary>
public sealed class IpxeScriptReader
{
    private static readonly HashSet<string> ImageCommands = new(StringComparer.Ordinal)
    {
        "kernel", "imgexec", "initrd", "imgfetch", "module", "chain", "imgselect", "imgload",
    };

    private readonly Dictionary<string, string> _settings;

    /// <param name="settings">What iPXE knows about itself (mac, uuid, buildarch, platform, …), by setting name.</param>
    public IpxeScriptReader(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = new Dictionary<string, string>(settings, StringComparer.Ordinal);
    }

    public List<IpxeImageCommand> Images { get; } = [];

    /// <summary>Image lines whose URL holds a setting the reader cannot know (e.g. <c>${next-server}</c> unset).</summary>
    public List<string> Unresolved { get; } = [];

    /// <summary>Whether the script ends the boot some other way: sanboot, or exit to the next boot device.</summary>
    public bool BootsOtherwise { get; private set; }

    public void Read(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        foreach (var raw in script.Split('\n').Take(10_000))
        {
            // A command ends at "||" / "&&" (its error handling); only the first command of a line fetches.
            var line = raw.Trim();
            var cut = IndexOfAny(line, "||", "&&");
            if (cut >= 0)
            {
                line = line[..cut].Trim();
            }

            var words = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0 || words[0].StartsWith('#') || words[0].StartsWith(':'))
            {
                continue;
            }

            if (words[0] == "set" && words.Length >= 3)
            {
                _settings[words[1].Split(':')[0]] = Expand(string.Join(' ', words[2..])) ?? string.Empty;
            }
            else if (words[0] is "sanboot" or "exit")
            {
                BootsOtherwise = true;
            }
            else if (ImageCommands.Contains(words[0]))
            {
                var rest = WithoutOptions(words);
                if (rest.Count == 0)
                {
                    continue;
                }

                if (Expand(rest[0]) is { } url)
                {
                    Images.Add(new IpxeImageCommand(Canonical(words[0]), url, rest.Skip(1).Select(a => Expand(a) ?? a).ToList()));
                }
                else
                {
                    Unresolved.Add(line);
                }
            }
        }
    }

    /// <summary>
    /// The request iPXE sends for <paramref name="url"/>: it percent-encodes ':' in the path (firmware-lab.md:
    /// <c>${mac}</c> arrives as <c>52%3A54%3A…</c>), so a server must decode it; asking the same way checks that.
    /// </summary>
    public static Uri RequestUri(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var uri = new Uri(url);
        var path = uri.AbsolutePath.Replace(":", "%3A", StringComparison.Ordinal);
        return new Uri($"{uri.Scheme}://{uri.Authority}{path}{uri.Query}");
    }

    /// <summary>The words after the command and its options (<c>--name x</c>, <c>--timeout ms</c>, <c>--autofree</c>, …).</summary>
    private static List<string> WithoutOptions(string[] words)
    {
        var i = 1;
        while (i < words.Length && words[i].StartsWith('-'))
        {
            // --name and --timeout (-n, -t) take a value unless written --name=x; the flags (--autofree, --replace) take none.
            var takesValue = words[i] is "--name" or "-n" or "--timeout" or "-t";
            i += takesValue ? 2 : 1;
        }

        return [.. words.Skip(i)];
    }

    private static string Canonical(string command) => command switch
    {
        "imgexec" => "kernel",
        "imgfetch" or "module" => "initrd",
        _ => command,
    };

    private static int IndexOfAny(string line, string a, string b)
    {
        var i = line.IndexOf(a, StringComparison.Ordinal);
        var j = line.IndexOf(b, StringComparison.Ordinal);
        return i < 0 ? j : j < 0 ? i : Math.Min(i, j);
    }

    /// <summary>Expands <c>${name}</c> and <c>${name:type}</c> as plain text, as iPXE does; null when a setting is unknown.</summary>
    private string? Expand(string text)
    {
        var output = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                output.Append(text, i, text.Length - i);
                break;
            }

            var end = text.IndexOf('}', start);
            if (end < 0)
            {
                return null;
            }

            output.Append(text, i, start - i);
            var name = text[(start + 2)..end];
            var type = name.Contains(':', StringComparison.Ordinal) ? name[(name.IndexOf(':', StringComparison.Ordinal) + 1)..] : null;
            name = type is null ? name : name[..name.IndexOf(':', StringComparison.Ordinal)];
            if (!_settings.TryGetValue(name, out var value) && !_settings.TryGetValue(name.Replace("net0/", string.Empty, StringComparison.Ordinal), out value))
            {
                return null;
            }

            if (type == "hexhyp")
            {
                value = value.Replace(':', '-');
            }

            output.Append(value);
            i = end + 1;
        }

        return output.ToString();
    }
}
