using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace AiLbAutoscaler.Functions.Http;

/// <summary>Checks on a JSON value's own text, where converting it first (to a double, to a string) would hide the problem.</summary>
public static class JsonText
{
    public enum Whole
    {
        Yes,
        NotWhole,
        TooLarge,
    }

    /// <summary>
    /// Whether a JSON number's text is a whole number, decided digit by digit: <c>3.0</c> and <c>3e0</c> are, while
    /// <c>3.0000000000000001</c> is not (a double would round it to 3). <paramref name="value"/> is set when it fits an int.
    /// </summary>
    public static Whole IsWholeNumber(string text, out int value)
    {
        value = 0;
        var exponentAt = text.IndexOfAny(['e', 'E']);
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        var exponent = 0;
        if (exponentAt >= 0 && !int.TryParse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
        {
            // An exponent beyond ±2^31: an enormous number unless the digits are all zero.
            return mantissa.TrimStart('-').Replace(".", "", StringComparison.Ordinal).All(c => c == '0') ? Whole.Yes
                : text[(exponentAt + 1)..].StartsWith('-') ? Whole.NotWhole : Whole.TooLarge;
        }

        var negative = mantissa.StartsWith('-');
        var unsigned = negative ? mantissa[1..] : mantissa;
        var point = unsigned.IndexOf('.', StringComparison.Ordinal);
        var digits = (point < 0 ? unsigned : unsigned[..point] + unsigned[(point + 1)..]).TrimStart('0');
        var scale = (point < 0 ? 0 : unsigned.Length - point - 1) - exponent; // value = digits × 10^-scale
        if (digits.Length == 0)
        {
            return Whole.Yes; // zero
        }

        if (scale > 0)
        {
            var fraction = scale >= digits.Length ? digits : digits[^scale..];
            if (fraction.Any(c => c != '0'))
            {
                return Whole.NotWhole;
            }

            digits = scale >= digits.Length ? "" : digits[..^scale];
            scale = 0;
        }

        if (digits.Length + -scale > 12)
        {
            return Whole.TooLarge;
        }

        var magnitude = BigInteger.Parse(digits.Length == 0 ? "0" : digits, CultureInfo.InvariantCulture) * BigInteger.Pow(10, -scale);
        var signed = negative ? -magnitude : magnitude;
        if (signed > int.MaxValue || signed < int.MinValue)
        {
            return Whole.TooLarge;
        }

        value = (int)signed;
        return Whole.Yes;
    }

    /// <summary>A string value, or null with <paramref name="problem"/> set when it holds an unpaired surrogate escape.</summary>
    public static string? GetString(JsonElement element, out string? problem)
    {
        problem = null;
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            problem = "is not valid Unicode: it holds an unpaired surrogate escape such as \\ud800";
            return null;
        }
    }

    /// <summary>The first control character (C0, DEL or C1, newline and tab included) in <paramref name="text"/>, or null.</summary>
    public static char? FirstControl(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>
    /// <paramref name="text"/> with control characters and unpaired surrogates written as <c>\uXXXX</c>, for echoing
    /// a caller's value in a message or a log line without letting it forge lines or terminal escapes.
    /// </summary>
    public static string Escape(string text)
    {
        StringBuilder? escaped = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var lone = char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) &&
                       !(char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(text[i - 1]));
            if (char.IsControl(c) || lone)
            {
                escaped ??= new StringBuilder(text, 0, i, text.Length + 8);
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                escaped?.Append(c);
            }
        }

        return escaped?.ToString() ?? text;
    }
}
