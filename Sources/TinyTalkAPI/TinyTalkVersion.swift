/// The version reported in `User-Agent` and `tinytalk --version`.
public enum TinyTalkVersion {
    public static let current = "0.2.0"
}
