namespace NodeFoundry.Http;

/// <summary>
/// Maps decoded path segments to a regular file under the root, confined like the TFTP server: the
/// parser has already refused dot segments, separators inside segments and NUL; here every component is
/// walked from the root, each symbolic link is resolved, and the result must stay under the root
/// (compared with a trailing separator, so <c>/srv/http-private</c> is not "under" <c>/srv/http</c>).
/// Directories are never served (no listing, no index file), and neither is anything unreadable:
/// all of these are a plain 404, which tells a prober nothing about what exists outside.
/// </summary>
public sealed class StaticFileResolver
{
    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly string _rootPrefix;

    public StaticFileResolver(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var full = Path.GetFullPath(root);
        try
        {
            // A root that is itself a link (/srv/http → /data/http) is the operator's choice: follow it
            // once, so links inside that point into /data/http count as inside.
            var info = new DirectoryInfo(full);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                full = Path.GetFullPath(target.FullName);
            }
        }
        catch (IOException)
        {
            // A broken root link behaves like a missing root: every request is a 404.
        }

        Root = Path.TrimEndingDirectorySeparator(full);
        _rootPrefix = Root.EndsWith(Path.DirectorySeparatorChar) ? Root : Root + Path.DirectorySeparatorChar;
    }

    /// <summary>The canonical root folder.</summary>
    public string Root { get; }

    public bool RootExists => Directory.Exists(Root);

    /// <summary>Small files of this root kept in memory (see <see cref="SmallFileCache"/>).</summary>
    internal SmallFileCache SmallFiles { get; } = new();

    /// <summary>The file the segments name, or null when it is missing, a directory, or outside the root.</summary>
    public FileInfo? Resolve(IReadOnlyList<string> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        if (segments.Count == 0)
        {
            return null;
        }

        try
        {
            var current = Root;
            for (var i = 0; i < segments.Count; i++)
            {
                var segment = segments[i];
                if (!HttpPath.IsSafeSegment(segment) || !IsPortable(segment))
                {
                    return null;
                }

                var next = Path.Join(current, segment);
                FileSystemInfo entry = i == segments.Count - 1 ? new FileInfo(next) : new DirectoryInfo(next);
                if (entry.LinkTarget is not null)
                {
                    var target = entry.ResolveLinkTarget(returnFinalTarget: true);
                    if (target is null || !target.Exists)
                    {
                        return null;
                    }

                    next = Path.GetFullPath(target.FullName);
                }

                if (!IsUnderRoot(next))
                {
                    return null;
                }

                current = next;
            }

            var file = new FileInfo(current);

            // FileInfo.Exists is false for directories: no listing, no redirect to a trailing slash.
            return file.Exists ? file : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            // Link loops, names the platform refuses, permission errors: not found, from the client's side.
            return null;
        }
    }

    private bool IsUnderRoot(string fullPath) => fullPath.StartsWith(_rootPrefix, PathComparison);

    /// <summary>
    /// On Windows a segment could still escape through the platform's name rules: a colon (drive or
    /// alternate data stream), trailing dots or spaces (trimmed by Win32), reserved device names.
    /// </summary>
    private static bool IsPortable(string segment)
    {
        if (!OperatingSystem.IsWindows())
        {
            return true;
        }

        if (segment.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || segment.Contains(':', StringComparison.Ordinal) || segment[^1] is '.' or ' ')
        {
            return false;
        }

        var stem = segment.Split('.')[0].ToUpperInvariant();
        return stem is not ("CON" or "PRN" or "AUX" or "NUL" or "CONIN$" or "CONOUT$")
            && !(stem.Length == 4 && (stem.StartsWith("COM", StringComparison.Ordinal) || stem.StartsWith("LPT", StringComparison.Ordinal)) && char.IsAsciiDigit(stem[3]));
    }
}
