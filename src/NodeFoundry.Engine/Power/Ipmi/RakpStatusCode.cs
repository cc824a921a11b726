using System.Globalization;

namespace NodeFoundry.Power.Ipmi;

/// <summary>RMCP+ and RAKP message status codes (IPMI v2.0 table 13-15), described for error messages.</summary>
public static class RakpStatusCode
{
    /// <summary>No errors.</summary>
    public const byte NoErrors = 0x00;

    /// <summary>Invalid authentication algorithm: the BMC does not offer the proposed suite's RAKP HMAC.</summary>
    public const byte InvalidAuthenticationAlgorithm = 0x04;

    /// <summary>Invalid integrity algorithm.</summary>
    public const byte InvalidIntegrityAlgorithm = 0x05;

    /// <summary>Invalid confidentiality algorithm.</summary>
    public const byte InvalidConfidentialityAlgorithm = 0x10;

    /// <summary>No cipher suite match with the proposed algorithms.</summary>
    public const byte NoCipherSuiteMatch = 0x11;

    /// <summary>Unauthorized name: the user does not exist (or is disabled).</summary>
    public const byte UnauthorizedName = 0x0D;

    /// <summary>Invalid integrity check value: the BMC's check of RAKP 3 failed (wrong password).</summary>
    public const byte InvalidIntegrityCheckValue = 0x0F;

    /// <summary>Unauthorized role or privilege level requested.</summary>
    public const byte UnauthorizedRole = 0x0A;

    /// <summary>True for the status codes that mean "this cipher suite is not offered" (try a weaker one).</summary>
    public static bool IsAlgorithmRejection(byte status) =>
        status is 0x04 or 0x05 or 0x06 or 0x07 or 0x10 or 0x11;

    /// <summary>A short human description (with the hex code) for messages.</summary>
    public static string Describe(byte status) => status switch
    {
        0x00 => "no errors (00h)",
        0x01 => "insufficient resources to create a session (01h)",
        0x02 => "invalid session ID (02h)",
        0x03 => "invalid payload type (03h)",
        0x04 => "invalid authentication algorithm (04h)",
        0x05 => "invalid integrity algorithm (05h)",
        0x06 => "no matching authentication payload (06h)",
        0x07 => "no matching integrity payload (07h)",
        0x08 => "inactive session ID (08h)",
        0x09 => "invalid role (09h)",
        0x0A => "unauthorized role or privilege level requested (0Ah)",
        0x0B => "insufficient resources to create a session at the requested role (0Bh)",
        0x0C => "invalid name length (0Ch)",
        0x0D => "unauthorized name (0Dh)",
        0x0E => "unauthorized GUID (0Eh)",
        0x0F => "invalid integrity check value (0Fh)",
        0x10 => "invalid confidentiality algorithm (10h)",
        0x11 => "no cipher suite match with proposed security algorithms (11h)",
        0x12 => "illegal or unrecognized parameter (12h)",
        _ => string.Create(CultureInfo.InvariantCulture, $"status {status:X2}h"),
    };
}
