namespace NodeFoundry.Tests.Dhcp.Wire;

/// <summary>Builds datagrams for table tests: a minimal BOOTREQUEST header, then whatever we are testing.</summary>
internal static class Datagram
{
    /// <summary>236-byte header (op 1, htype 1, hlen 6, chaddr 02:00:00:00:00:01) + magic cookie + <paramref name="options"/> verbatim.</summary>
    public static byte[] WithOptions(params byte[] options)
    {
        var bytes = new byte[240 + options.Length];
        bytes[0] = 1;
        bytes[1] = 1;
        bytes[2] = 6;
        bytes[28] = 0x02;
        bytes[33] = 0x01;
        bytes[236] = 99;
        bytes[237] = 130;
        bytes[238] = 83;
        bytes[239] = 99;
        options.CopyTo(bytes, 240);
        return bytes;
    }

    /// <summary>As <see cref="WithOptions"/>, with the sname (64) and file (128) fields replaced.</summary>
    public static byte[] WithAreas(byte[] options, byte[] file, byte[] sname)
    {
        var bytes = WithOptions(options);
        file.CopyTo(bytes, 108);
        sname.CopyTo(bytes, 44);
        return bytes;
    }

    /// <summary>The same array with one byte changed, for header-field cases in tables.</summary>
    public static byte[] Patch(this byte[] bytes, int offset, byte value)
    {
        bytes[offset] = value;
        return bytes;
    }

    /// <summary><paramref name="content"/> then zero (Pad / NUL) up to <paramref name="length"/>.</summary>
    public static byte[] Field(int length, params byte[] content)
    {
        var field = new byte[length];
        content.CopyTo(field, 0);
        return field;
    }
}
