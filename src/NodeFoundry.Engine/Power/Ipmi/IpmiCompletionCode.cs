using System.Globalization;

namespace NodeFoundry.Power.Ipmi;

/// <summary>IPMI completion codes (IPMI v2.0 table 5-2), described for error messages.</summary>
public static class IpmiCompletionCode
{
    /// <summary>Command completed normally.</summary>
    public const byte Success = 0x00;

    /// <summary>Command-specific 80h for Set/Get System Boot Options: parameter not supported.</summary>
    public const byte ParameterNotSupported = 0x80;

    /// <summary>Set System Boot Options 81h: a set is already in progress by another party.</summary>
    public const byte SetInProgress = 0x81;

    /// <summary>Insufficient privilege level for the command.</summary>
    public const byte InsufficientPrivilege = 0xD4;

    /// <summary>A short human description (with the hex code) for messages.</summary>
    public static string Describe(byte code) => code switch
    {
        0x00 => "success (00h)",
        0x80 => "parameter not supported (80h)",
        0x81 => "set already in progress (81h)",
        0x82 => "attempt to write a read-only parameter (82h)",
        0xC0 => "node busy (C0h)",
        0xC1 => "invalid command (C1h)",
        0xC2 => "command invalid for this LUN (C2h)",
        0xC3 => "timeout while processing the command (C3h)",
        0xC4 => "out of space (C4h)",
        0xC5 => "reservation cancelled or invalid (C5h)",
        0xC6 => "request data truncated (C6h)",
        0xC7 => "request data length invalid (C7h)",
        0xC8 => "request data field length limit exceeded (C8h)",
        0xC9 => "parameter out of range (C9h)",
        0xCA => "cannot return the number of requested bytes (CAh)",
        0xCB => "requested sensor, data or record not present (CBh)",
        0xCC => "invalid data field in request (CCh)",
        0xCD => "command illegal for this sensor or record type (CDh)",
        0xCE => "command response could not be provided (CEh)",
        0xCF => "cannot execute a duplicated request (CFh)",
        0xD0 => "SDR repository in update mode (D0h)",
        0xD1 => "device in firmware update mode (D1h)",
        0xD2 => "BMC initialization in progress (D2h)",
        0xD3 => "destination unavailable (D3h)",
        0xD4 => "insufficient privilege level (D4h)",
        0xD5 => "command not supported in the present state (D5h)",
        0xD6 => "command sub-function disabled or unavailable (D6h)",
        0xFF => "unspecified error (FFh)",
        _ => string.Create(CultureInfo.InvariantCulture, $"completion code {code:X2}h"),
    };
}
