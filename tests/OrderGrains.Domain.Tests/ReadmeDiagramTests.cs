namespace OrderGrains.Domain.Tests;

/// <summary>The README's Mermaid diagrams are the transition tables rendered; run with UPDATE_README=1 to rewrite them.</summary>
public class ReadmeDiagramTests
{
    [Fact]
    public void Readme_Diagrams_MatchTheTransitionTables()
    {
        var readme = Path.Combine(RepositoryRoot(), "README.md");
        var text = File.ReadAllText(readme);
        var expected = Replace(Replace(text, "seller", TransitionDiagram.Seller()), "marketplace", TransitionDiagram.Marketplace());
        if (Environment.GetEnvironmentVariable("UPDATE_README") == "1")
        {
            File.WriteAllText(readme, expected);
            text = expected;
        }
        Assert.Equal(expected, text);
    }

    private static string Replace(string text, string name, string diagram)
    {
        var begin = $"<!-- diagram:{name} -->";
        var end = $"<!-- /diagram:{name} -->";
        var from = text.IndexOf(begin, StringComparison.Ordinal);
        var to = text.IndexOf(end, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"README.md lacks the {begin} … {end} markers");
        return text[..(from + begin.Length)] + "\n```mermaid\n" + diagram + "```\n" + text[to..];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrderGrains.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("OrderGrains.sln not found above " + AppContext.BaseDirectory);
    }
}
