namespace NodeFoundry.Http;

/// <summary>
/// What the egress pacer (<c>http.egressMbps</c>, docs/http-server.md "Egress pacing") is doing now, for the metrics
/// endpoint: how many file bodies it paces, what the downloads may use, what their rates add up to, what is kept for
/// TFTP, and the factor the interface's own count applied.
/// </summary>
/// <param name="Downloads">File bodies paced now (sending, or still leaving the send queue).</param>
/// <param name="BudgetBytesPerSecond">TCP payload bytes/s the downloads may use: the budget less TFTP's reservation, times <paramref name="Correction"/>.</param>
/// <param name="AppliedBytesPerSecond">The sum of the pacing rates applied (TCP payload bytes/s).</param>
/// <param name="ReservedWireBytesPerSecond">Wire bytes/s kept for TFTP.</param>
/// <param name="Correction">The factor from the interface's transmit counter (1 without one, or while idle).</param>
public readonly record struct HttpPacingState(int Downloads, long BudgetBytesPerSecond, long AppliedBytesPerSecond, long ReservedWireBytesPerSecond, double Correction);
