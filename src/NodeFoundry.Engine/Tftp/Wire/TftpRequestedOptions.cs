using System.Globalization;

namespace NodeFoundry.Tftp.Wire;

/// <summary>
/// The typed view of a request's options: each known option's value when it is present and valid, else
/// null. RFC 2347 lets a server ignore an option it cannot honour (it is then absent from the OACK), so an
/// out-of-range or non-numeric value reads as "not asked" rather than as an error. The first occurrence
/// of a repeated option wins.
/// </summary>
public sealed record TftpRequestedOptions
{
    public static TftpRequestedOptions None { get; } = new();

    /// <summary>blksize, 8–65464.</summary>
    public int? BlockSize { get; init; }

    /// <summary>timeout in seconds, 1–255.</summary>
    public int? TimeoutSeconds { get; init; }

    /// <summary>tsize as sent (0 in a read request).</summary>
    public long? TransferSize { get; init; }

    /// <summary>windowsize, 1–65535.</summary>
    public int? WindowSize { get; init; }

    public bool Any => BlockSize is not null || TimeoutSeconds is not null || TransferSize is not null || WindowSize is not null;

    public static TftpRequestedOptions From(IReadOnlyList<TftpOption> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int? blockSize = null, timeout = null, window = null;
        long? size = null;
        foreach (var option in options)
        {
            if (option.Is(TftpOptionNames.BlockSize))
            {
                blockSize ??= Number(option.Value, TftpOptionNames.MinBlockSize, TftpOptionNames.MaxBlockSize);
            }
            else if (option.Is(TftpOptionNames.Timeout))
            {
                timeout ??= Number(option.Value, TftpOptionNames.MinTimeoutSeconds, TftpOptionNames.MaxTimeoutSeconds);
            }
            else if (option.Is(TftpOptionNames.WindowSize))
            {
                window ??= Number(option.Value, TftpOptionNames.MinWindowSize, TftpOptionNames.MaxWindowSize);
            }
            else if (option.Is(TftpOptionNames.TransferSize))
            {
                size ??= long.TryParse(option.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
            }
        }

        return new TftpRequestedOptions { BlockSize = blockSize, TimeoutSeconds = timeout, TransferSize = size, WindowSize = window };
    }

    // Digits only (NumberStyles.None): no sign, no spaces, no hex. Odd spellings are ignored, not guessed at.
    private static int? Number(string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value : null;
}
