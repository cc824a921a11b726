namespace NodeFoundry.Power;

/// <summary>
/// A BMC user name and password. The password is kept out of every string form of this object: it must never reach a
/// log line, an event, an error or an exception message.
/// </summary>
public sealed class BmcCredential
{
    /// <summary>Creates a credential.</summary>
    public BmcCredential(string userName, string password)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);
        UserName = userName;
        Password = password;
    }

    /// <summary>The BMC user name (safe to log).</summary>
    public string UserName { get; }

    /// <summary>The password. Only protocol code reads this; nothing formats it.</summary>
    public string Password { get; }

    /// <inheritdoc />
    public override string ToString() => UserName + ":***";
}
