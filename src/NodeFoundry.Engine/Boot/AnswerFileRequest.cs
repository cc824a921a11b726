using System.Net.NetworkInformation;
using NodeFoundry.Fleet;

namespace NodeFoundry.Boot;

/// <summary>
/// Everything the answer-file renderers need for one node. Build it from a fleet node with
/// <see cref="FleetBootPlanner.AnswerRequest"/>. <see cref="PasswordHash"/> is the resolved crypt(3) hash (never a
/// plain password); null locks the user's password.
/// </summary>
public sealed record AnswerFileRequest
{
    /// <summary>Node name (comments, instance-id).</summary>
    public required string NodeName { get; init; }

    /// <summary>Host name the installed system gets; may be fully qualified.</summary>
    public required string HostName { get; init; }

    /// <summary>The node's boot MAC.</summary>
    public required PhysicalAddress MacAddress { get; init; }

    /// <summary>Base URL of the NodeFoundry HTTP server (ends with '/').</summary>
    public required string HttpBaseUrl { get; init; }

    /// <summary>The fleet profile, for comments.</summary>
    public string? ProfileName { get; init; }

    /// <summary>DNS domain, when the host name is not fully qualified.</summary>
    public string? Domain { get; init; }

    /// <summary>Install source URL: RHEL install tree (kickstart <c>url</c>) or Debian mirror.</summary>
    public string? RepoUrl { get; init; }

    /// <summary>Serial console such as <c>ttyS0,115200n8</c>, kept on the installed system's kernel line.</summary>
    public string? SerialConsole { get; init; }

    /// <summary>Users, keys, disk, packages, time zone and phone home.</summary>
    public InstallSettings Install { get; init; } = InstallSettings.Default;

    /// <summary>The resolved crypt(3) password hash of <see cref="InstallSettings.Username"/>, or null.</summary>
    public string? PasswordHash { get; init; }

    /// <summary>The phone-home URL (<c>phone-home/{mac}</c> under <see cref="HttpBaseUrl"/>).</summary>
    public string PhoneHomeUrl => BootRoutes.Absolute(HttpBaseUrl, BootRoutes.PhoneHome(MacAddress));

    /// <summary>The first label of <see cref="HostName"/>.</summary>
    public string ShortHostName => HostName.Split('.')[0];

    /// <summary>The domain: <see cref="Domain"/>, else what follows the first label of <see cref="HostName"/>, else null.</summary>
    public string? DomainName
    {
        get
        {
            if (Domain is not null)
            {
                return Domain;
            }

            int dot = HostName.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 ? HostName[(dot + 1)..] : null;
        }
    }
}
