namespace NodeFoundry.Tftp;

/// <summary>
/// The retransmission timeout of one transfer, estimated from its round trips as TCP does (RFC 6298:
/// smoothed RTT plus four deviations, Karn's rule of never sampling a retransmitted packet, doubling on
/// each timeout) and clamped between a floor and a ceiling. The ceiling is what makes it PXE-safe: the
/// transfer sets it to a fraction of the ROM's own timeout (see <see cref="TftpServerOptions.RetransmitsPerClientTimeout"/>),
/// so neither a slow measured round trip nor back-off after repeated losses can stretch one interval far
/// enough that a ROM's ~4 s timer runs out between two copies of the same packet.
/// </summary>
internal sealed class RetransmitTimer
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private TimeSpan? _smoothed;
    private TimeSpan _deviation;

    public RetransmitTimer(TimeSpan initial, TimeSpan min, TimeSpan max)
    {
        _min = min;
        _max = max;
        Current = Clamp(initial);
    }

    public TimeSpan Current { get; private set; }

    /// <summary>The longest interval this timer will ever give, back-off included.</summary>
    public TimeSpan Ceiling => _max;

    public TimeSpan? SmoothedRoundTrip => _smoothed;

    /// <summary>A round trip measured on a packet that was sent once only (Karn).</summary>
    public void Sample(TimeSpan roundTrip)
    {
        if (roundTrip < TimeSpan.Zero)
        {
            return;
        }

        if (_smoothed is not { } smoothed)
        {
            _smoothed = roundTrip;
            _deviation = roundTrip / 2;
        }
        else
        {
            var error = (smoothed - roundTrip).Duration();
            _deviation = (_deviation * 3 / 4) + (error / 4);
            _smoothed = (smoothed * 7 / 8) + (roundTrip / 8);
        }

        Current = Clamp(_smoothed.Value + (_deviation * 4));
    }

    /// <summary>A timeout fired: back off so a congested path is not flooded — never past the ceiling.</summary>
    public void BackOff() => Current = Clamp(Current * 2);

    private TimeSpan Clamp(TimeSpan value) => value < _min ? _min : value > _max ? _max : value;
}
