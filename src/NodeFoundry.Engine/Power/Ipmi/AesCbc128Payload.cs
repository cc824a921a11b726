using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace NodeFoundry.Power.Ipmi;

/// <summary>
/// AES-CBC-128 payload confidentiality (IPMI v2.0 section 13.29): the encrypted payload is a 16-byte IV followed by
/// AES-CBC(K2[0..16], IV, payload | pad bytes 01h, 02h, … | pad length), padded so the plaintext is a multiple of 16
/// bytes. The spec's own padding, not PKCS#7, so the cipher runs without padding.
/// </summary>
public static class AesCbc128Payload
{
    /// <summary>AES block size and IV length.</summary>
    public const int BlockSize = 16;

    /// <summary>Encrypts with a caller-chosen IV (tests use fixed IVs; sessions use random ones).</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        if (iv.Length != BlockSize)
        {
            throw new ArgumentException("the IV is 16 bytes", nameof(iv));
        }

        var padLength = (BlockSize - ((payload.Length + 1) % BlockSize)) % BlockSize;
        var plain = new byte[payload.Length + padLength + 1];
        payload.CopyTo(plain);
        for (var i = 0; i < padLength; i++)
        {
            plain[payload.Length + i] = (byte)(i + 1);
        }

        plain[^1] = (byte)padLength;
        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        var cipher = aes.EncryptCbc(plain, iv, PaddingMode.None);
        var result = new byte[BlockSize + cipher.Length];
        iv.CopyTo(result);
        cipher.CopyTo(result, BlockSize);
        return result;
    }

    /// <summary>Encrypts with a fresh random IV.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> key)
    {
        Span<byte> iv = stackalloc byte[BlockSize];
        RandomNumberGenerator.Fill(iv);
        return Encrypt(payload, key, iv);
    }

    /// <summary>Decrypts and strips the confidentiality trailer; a malformed block or pad is an error value.</summary>
    public static bool TryDecrypt(ReadOnlySpan<byte> encrypted, ReadOnlySpan<byte> key, [NotNullWhen(true)] out byte[]? payload, [NotNullWhen(false)] out string? error)
    {
        payload = null;
        if (encrypted.Length < 2 * BlockSize || encrypted.Length % BlockSize != 0)
        {
            error = $"an AES-CBC-128 payload is an IV plus whole blocks; got {encrypted.Length} bytes";
            return false;
        }

        using var aes = Aes.Create();
        aes.Key = key.ToArray();
        var plain = aes.DecryptCbc(encrypted[BlockSize..], encrypted[..BlockSize], PaddingMode.None);
        var padLength = plain[^1];
        if (padLength >= BlockSize || padLength + 1 > plain.Length)
        {
            error = $"confidentiality pad length {padLength} is impossible (wrong key or corrupted payload)";
            return false;
        }

        for (var i = 0; i < padLength; i++)
        {
            if (plain[plain.Length - 1 - padLength + i] != i + 1)
            {
                error = "confidentiality pad bytes are not 01h, 02h, … (wrong key or corrupted payload)";
                return false;
            }
        }

        payload = plain.AsSpan(0, plain.Length - padLength - 1).ToArray();
        error = null;
        return true;
    }
}
