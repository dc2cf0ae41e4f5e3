namespace CultureProbe.Reports;

/// <summary><c>IndexOf</c> for read-only lists, which the BCL only offers on <c>IList&lt;T&gt;</c>.</summary>
internal static class ReadOnlyListExtensions
{
    public static int IndexOf<T>(this IReadOnlyList<T> list, T value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (EqualityComparer<T>.Default.Equals(list[i], value))
            {
                return i;
            }
        }
        return -1;
    }
}
