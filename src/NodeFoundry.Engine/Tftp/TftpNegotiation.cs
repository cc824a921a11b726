using System.Globalization;
using NodeFoundry.Tftp.Wire;

namespace NodeFoundry.Tftp;

/// <summary>
/// What a transfer runs with after RFC 2347 negotiation, and the OACK that says so. Options the
/// client did not ask for, or asked for with values we ignore, are left out of the OACK; with none
/// left, there is no OACK and the transfer starts with DATA 1 as in RFC 1350.
/// </summary>
internal sealed record TftpNegotiation(int BlockSize, int WindowSize, int? TimeoutSeconds, TftpOptionAckPacket? OptionAck)
{
    public const int DefaultBlockSize = 512;

    public static TftpNegotiation For(TftpRequest request, long fileLength, TftpServerOptions options)
    {
        var requested = request.Requested;
        var accepted = new List<TftpOption>();
        var blockSize = DefaultBlockSize;
        var windowSize = 1;
        foreach (var option in request.Options)
        {
            if (option.Is(TftpOptionNames.BlockSize) && requested.BlockSize is { } b && !accepted.Any(a => a.Is(option.Name)))
            {
                // RFC 2348: the server may answer a smaller size; the MTU clamp keeps every DATA in one frame.
                blockSize = Math.Min(b, options.MaxBlockSize);
                accepted.Add(new TftpOption(TftpOptionNames.BlockSize, Text(blockSize)));
            }
            else if (option.Is(TftpOptionNames.TransferSize) && requested.TransferSize is not null && !accepted.Any(a => a.Is(option.Name)))
            {
                // Always answered: some ROMs abort when they asked for tsize and do not get it.
                accepted.Add(new TftpOption(TftpOptionNames.TransferSize, fileLength.ToString(CultureInfo.InvariantCulture)));
            }
            else if (option.Is(TftpOptionNames.WindowSize) && requested.WindowSize is { } w && !accepted.Any(a => a.Is(option.Name)))
            {
                windowSize = Math.Min(w, options.MaxWindowSize);
                accepted.Add(new TftpOption(TftpOptionNames.WindowSize, Text(windowSize)));
            }
            else if (option.Is(TftpOptionNames.Timeout) && requested.TimeoutSeconds is { } t && !accepted.Any(a => a.Is(option.Name)))
            {
                // Echoed as asked (RFC 2349 says the server must use the same value, which it does as a ceiling).
                accepted.Add(new TftpOption(TftpOptionNames.Timeout, Text(t)));
            }
        }

        return new TftpNegotiation(blockSize, windowSize, requested.TimeoutSeconds, accepted.Count == 0 ? null : new TftpOptionAckPacket(accepted));
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
