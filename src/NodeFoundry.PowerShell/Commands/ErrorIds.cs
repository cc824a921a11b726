namespace NodeFoundry.PowerShell.Commands;

/// <summary>
/// Stable error ids of the cmdlets (scripts match on them through <c>$_.FullyQualifiedErrorId</c>).
/// Engine failures inside jobs use the ids in <see cref="Jobs.BootServiceFailure"/>.
/// </summary>
internal static class ErrorIds
{
    public const string FleetFileNotFound = "NfFleetFileNotFound";
    public const string FleetFileInvalid = "NfFleetFileInvalid";
    public const string LeaseJournalNotFound = "NfLeaseJournalNotFound";
    public const string LeaseJournalUnreadable = "NfLeaseJournalUnreadable";
    public const string JobNotDhcpServer = "NfJobNotDhcpServer";
    public const string TftpRootNotFound = "NfTftpRootNotFound";
    public const string NodeNotFound = "NfNodeNotFound";
    public const string BootScriptNotRenderable = "NfBootScriptNotRenderable";
    public const string BootScriptLintFailed = "NfBootScriptLintFailed";
    public const string AnswerFileLintFailed = "NfAnswerFileLintFailed";
    public const string OutputNotWritten = "NfOutputNotWritten";
    public const string JobNotBootStack = "NfJobNotBootStack";
    public const string NodeWaitTimeout = "NfNodeWaitTimeout";
    public const string NodeHasNoBmc = "NfNodeHasNoBmc";
    public const string BmcCredentialMissing = "NfBmcCredentialMissing";
    public const string InvalidBmcAddress = "NfInvalidBmcAddress";
    public const string BootPathServerInvalid = "NfBootPathServerInvalid";
    public const string BootPathProbeNotStarted = "NfBootPathProbeNotStarted";
    public const string BootStormNotStarted = "NfBootStormNotStarted";
    public const string StoreNotShared = "NfStoreNotShared";
    public const string BootEventStoreUnavailable = "NfBootEventStoreUnavailable";
}
