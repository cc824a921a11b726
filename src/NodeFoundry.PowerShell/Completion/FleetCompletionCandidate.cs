namespace NodeFoundry.PowerShell.Completion;

/// <summary>One completion: the text inserted (quoted when needed), the list text and a tool tip.</summary>
internal sealed record FleetCompletionCandidate(string CompletionText, string ListItemText, string ToolTip);
