using System.Globalization;
using System.Net.Http.Headers;

namespace CultureProbe.Remote.Transport;

/// <summary>Reads <c>Retry-After</c> (delta seconds or an HTTP date) as a delay from now.</summary>
internal static class RetryAfter
{
    public static TimeSpan? Read(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.RetryAfter is { } value)
        {
            if (value.Delta is { } delta)
            {
                return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            }
            if (value.Date is { } date)
            {
                var wait = date - now;
                return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            }
        }
        // Some servers send fractional seconds, which the typed header rejects.
        if (headers.TryGetValues("Retry-After", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            && double.IsFinite(seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        return null;
    }
}
