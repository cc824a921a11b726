using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// One IPMI v2.0 / RMCP+ session datagram (IPMI v2.0 section 13.6, table 13-8). After the RMCP header: auth type 06h
/// (RMCP+), payload type (bit 7 encrypted, bit 6 authenticated, bits 5:0 the <see cref="IpmiPayloadType"/>), session ID
/// (4, LE: the receiver's ID for the session), session sequence (4, LE), payload length (2, LE), payload. An
/// authenticated packet ends with the session trailer: FFh pad bytes so that auth type through next header is a
/// multiple of 4 bytes, the pad length, next header 07h, and the AuthCode — the integrity HMAC (keyed with K1) of
/// every byte from the auth type through the next header.
/// </summary>
/// <param name="PayloadType">What the payload is.</param>
/// <param name="Encrypted">The payload is encrypted (the bytes here are the ciphertext with its IV).</param>
/// <param name="Authenticated">The packet carries an AuthCode.</param>
/// <param name="SessionId">The session ID field (0 before a session exists).</param>
/// <param name="SessionSequence">The session sequence number (0 outside a session).</param>
/// <param name="Payload">The payload bytes as carried (ciphertext when <paramref name="Encrypted"/>).</param>
public sealed record RmcpPlusPacket(IpmiPayloadType PayloadType, bool Encrypted, bool Authenticated, uint SessionId, uint SessionSequence, byte[] Payload)
{
    /// <summary>Auth type field value that marks an RMCP+ (IPMI v2.0) session header.</summary>
    public const byte AuthTypeRmcpPlus = 0x06;

    /// <summary>Next header value in the trailer (always 07h).</summary>
    public const byte NextHeader = 0x07;

    private const int HeaderLength = RmcpHeader.Length + 12;

    /// <summary>Encodes the datagram; when authenticated, the AuthCode is computed with <paramref name="integrity"/> and <paramref name="k1"/>.</summary>
    public byte[] Encode(IpmiIntegrityAlgorithm integrity = IpmiIntegrityAlgorithm.None, ReadOnlySpan<byte> k1 = default)
    {
        if (Payload.Length > ushort.MaxValue)
        {
            throw new InvalidOperationException("an RMCP+ payload length is 16 bits");
        }

        var authCodeLength = Authenticated ? IpmiIntegrity.AuthCodeLength(integrity) : 0;
        var padLength = Authenticated ? (4 - ((12 + Payload.Length + 2) % 4)) % 4 : 0;
        var trailerLength = Authenticated ? padLength + 2 + authCodeLength : 0;
        var bytes = new byte[HeaderLength + Payload.Length + trailerLength];
        RmcpHeader.Write(bytes);
        bytes[4] = AuthTypeRmcpPlus;
        bytes[5] = (byte)((byte)PayloadType | (Encrypted ? 0x80 : 0) | (Authenticated ? 0x40 : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(6), SessionId);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(10), SessionSequence);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(14), (ushort)Payload.Length);
        Payload.CopyTo(bytes, HeaderLength);
        if (Authenticated)
        {
            var at = HeaderLength + Payload.Length;
            bytes.AsSpan(at, padLength).Fill(0xFF);
            bytes[at + padLength] = (byte)padLength;
            bytes[at + padLength + 1] = NextHeader;
            var covered = bytes.AsSpan(RmcpHeader.Length, bytes.Length - authCodeLength - RmcpHeader.Length);
            IpmiIntegrity.Compute(integrity, k1, covered).CopyTo(bytes.AsSpan(bytes.Length - authCodeLength));
        }

        return bytes;
    }

    /// <summary>
    /// Parses an RMCP+ datagram. An authenticated packet's AuthCode is verified with <paramref name="integrity"/> and
    /// <paramref name="k1"/> (constant-time); a mismatch is an error value, so a forged or corrupted answer is dropped.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, IpmiIntegrityAlgorithm integrity, ReadOnlySpan<byte> k1, [NotNullWhen(true)] out RmcpPlusPacket? packet, [NotNullWhen(false)] out string? error)
    {
        packet = null;
        if (!RmcpHeader.IsIpmi(datagram, out error))
        {
            return false;
        }

        if (datagram.Length < HeaderLength)
        {
            error = $"an RMCP+ session header needs {HeaderLength} bytes, got {datagram.Length}";
            return false;
        }

        if (datagram[4] != AuthTypeRmcpPlus)
        {
            error = $"auth type {datagram[4]:X2}h is not RMCP+ (06h)";
            return false;
        }

        var typeByte = datagram[5];
        var encrypted = (typeByte & 0x80) != 0;
        var authenticated = (typeByte & 0x40) != 0;
        var payloadType = (IpmiPayloadType)(typeByte & 0x3F);
        if (payloadType == (IpmiPayloadType)0x02)
        {
            error = "OEM explicit payloads are not supported";
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(datagram[14..]);
        if (datagram.Length < HeaderLength + length)
        {
            error = $"payload length {length} exceeds the {datagram.Length - HeaderLength} bytes received";
            return false;
        }

        if (authenticated)
        {
            var authCodeLength = IpmiIntegrity.AuthCodeLength(integrity);
            var trailerStart = HeaderLength + length;
            if (integrity == IpmiIntegrityAlgorithm.None || datagram.Length < trailerStart + 2 + authCodeLength)
            {
                error = "an authenticated packet without a usable integrity trailer";
                return false;
            }

            var nextHeaderAt = datagram.Length - authCodeLength - 1;
            var padLength = datagram[nextHeaderAt - 1];
            if (datagram[nextHeaderAt] != NextHeader || trailerStart + padLength != nextHeaderAt - 1)
            {
                error = "malformed session trailer (pad length / next header)";
                return false;
            }

            var expected = IpmiIntegrity.Compute(integrity, k1, datagram[RmcpHeader.Length..^authCodeLength]);
            if (!CryptographicOperations.FixedTimeEquals(expected, datagram[^authCodeLength..]))
            {
                error = "AuthCode mismatch (integrity check failed)";
                return false;
            }
        }

        packet = new RmcpPlusPacket(
            payloadType,
            encrypted,
            authenticated,
            BinaryPrimitives.ReadUInt32LittleEndian(datagram[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(datagram[10..]),
            datagram.Slice(HeaderLength, length).ToArray());
        error = null;
        return true;
    }
}
