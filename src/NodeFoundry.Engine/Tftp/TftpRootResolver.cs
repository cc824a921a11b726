using System.Diagnostics.CodeAnalysis;

namespace NodeFoundry.Tftp;

/// <summary>
/// Maps a requested TFTP name to a file under the root, or says why not. Read-only and deliberately
/// narrow: the name is checked as text first (no decoding of any kind), then walked one component at a
/// time from the root so that every symlink met on the way is resolved and must stay inside the root.
/// <para>
/// Leading slash: exactly one leading <c>/</c> is stripped and the rest is taken relative to the root.
/// DHCP configs commonly hand out <c>/undionly.kpxe</c> (tftp-hpa in secure mode and dnsmasq accept it),
/// and refusing it would break boots for no safety gain: the root is the only namespace we serve.
/// Two or more leading slashes are refused, as are backslashes and percent signs.
/// </para>
/// <para>
/// A symlink swapped between this check and the open is not defended against; the root is the
/// operator's folder, and anyone who can write symlinks into it can write files into it too.
/// </para>
/// </summary>
public sealed class TftpRootResolver
{
    /// <summary>Longest name accepted; PXE's own limit is 128 bytes of DHCP file field.</summary>
    public const int MaxNameLength = 1024;

    private const int MaxLinkHops = 40;
    private readonly string _root;
    private readonly string _rootWithSeparator;

    public TftpRootResolver(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        // The root itself may be (or sit under) a symlink, e.g. /srv/tftp -> /data/tftp; resolve it once,
        // so "inside the root" compares real paths with real paths.
        _root = RealPath(Path.GetFullPath(root));
        _rootWithSeparator = _root.EndsWith(Path.DirectorySeparatorChar) ? _root : _root + Path.DirectorySeparatorChar;
    }

    /// <summary>The root's resolved full path.</summary>
    public string Root => _root;

    /// <summary>Resolves <paramref name="name"/>; on success <paramref name="fullPath"/> is the real path of a regular file inside the root.</summary>
    public bool TryResolve(string name, [NotNullWhen(true)] out string? fullPath, out TftpPathRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(name);
        fullPath = null;
        refusal = CheckText(name);
        if (refusal != TftpPathRefusal.None)
        {
            return false;
        }

        try
        {
            return TryWalk(name, out fullPath, out refusal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A symlink loop ("too many levels"), a vanished component, a permission error: not servable.
            refusal = TftpPathRefusal.NotFound;
            return false;
        }
    }

    private bool TryWalk(string name, [NotNullWhen(true)] out string? fullPath, out TftpPathRefusal refusal)
    {
        fullPath = null;
        refusal = TftpPathRefusal.None;
        var relative = name.StartsWith('/') ? name[1..] : name;
        var current = _root;
        var hops = 0;
        foreach (var component in relative.Split('/'))
        {
            current = Path.Combine(current, component);
            FileSystemInfo info = new FileInfo(current);
            if (!info.Exists && Directory.Exists(current))
            {
                info = new DirectoryInfo(current);
            }

            if (info.LinkTarget is not null)
            {
                if (++hops > MaxLinkHops)
                {
                    refusal = TftpPathRefusal.OutsideRoot;
                    return false;
                }

                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                if (target is null)
                {
                    refusal = TftpPathRefusal.NotFound;
                    return false;
                }

                current = RealPath(target.FullName);
            }

            if (!IsInsideRoot(current))
            {
                refusal = TftpPathRefusal.OutsideRoot;
                return false;
            }
        }

        if (Directory.Exists(current))
        {
            refusal = TftpPathRefusal.NotAFile;
            return false;
        }

        if (!File.Exists(current))
        {
            refusal = TftpPathRefusal.NotFound;
            return false;
        }

        fullPath = current;
        return true;
    }

    /// <summary>The text rules, applied before touching the file system.</summary>
    public static TftpPathRefusal CheckText(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name == "/")
        {
            return TftpPathRefusal.Empty;
        }

        if (name.Length > MaxNameLength)
        {
            return TftpPathRefusal.TooLong;
        }

        foreach (var c in name)
        {
            switch (c)
            {
                case '\\':
                    return TftpPathRefusal.Backslash;
                case '%':
                    return TftpPathRefusal.PercentEncoding;
                case < ' ' or > '~' or ':' or '*' or '?' or '"' or '<' or '>' or '|':
                    return TftpPathRefusal.BadCharacter;
            }
        }

        if (name.StartsWith("//", StringComparison.Ordinal))
        {
            return TftpPathRefusal.AbsolutePath;
        }

        var relative = name.StartsWith('/') ? name[1..] : name;
        foreach (var component in relative.Split('/'))
        {
            // "" is a doubled or trailing slash; "." and ".." walk; a trailing dot or space is silently
            // dropped by Windows ("a.efi." opens "a.efi"), so the name would not mean what it says.
            if (component.Length == 0 || component is "." or ".." || component.EndsWith('.') || component.EndsWith(' ') || IsWindowsDeviceName(component))
            {
                return TftpPathRefusal.BadComponent;
            }
        }

        return TftpPathRefusal.None;
    }

    /// <summary>CON, NUL, COM1… open devices on Windows whatever folder they are in; no boot file is named so.</summary>
    private static bool IsWindowsDeviceName(string component)
    {
        var stem = component.Split('.')[0].ToUpperInvariant();
        return stem is "CON" or "PRN" or "AUX" or "NUL"
            || (stem.Length == 4 && (stem.StartsWith("COM", StringComparison.Ordinal) || stem.StartsWith("LPT", StringComparison.Ordinal)) && char.IsAsciiDigit(stem[3]));
    }

    private bool IsInsideRoot(string path) =>
        path.StartsWith(_rootWithSeparator, StringComparison.Ordinal);

    /// <summary>The path with every symlinked component resolved (a managed realpath), bounded in link depth.</summary>
    private static string RealPath(string fullPath, int depth = MaxLinkHops)
    {
        var root = Path.GetPathRoot(fullPath) ?? "/";
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (depth > 0 && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                // The target's own parents may be links too.
                next = RealPath(target.FullName, depth - 1);
            }

            current = next;
        }

        return Path.GetFullPath(current);
    }
}
