namespace NodeFoundry.Dhcp.Leases;

/// <summary>Outcome of a commit, and the granted lease when <see cref="Outcome"/> is <see cref="CommitOutcome.Granted"/>.</summary>
public readonly record struct CommitResult(CommitOutcome Outcome, Lease? Lease)
{
    public bool IsGranted => Outcome == CommitOutcome.Granted;
}
