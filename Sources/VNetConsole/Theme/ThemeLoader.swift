#if canImport(Glibc)
import Glibc
#endif

/// Why a theme could not be loaded.
public enum ThemeError: Error, Hashable, Sendable, CustomStringConvertible {
    case notFound(name: String, searched: [String])
    case unreadable(path: String, errno: Int32)

    public var description: String {
        switch self {
        case let .notFound(name, searched):
            let places = searched.isEmpty ? "no directories" : searched.joined(separator: ", ")
            return "theme \"\(name)\" not found (looked in \(places) and the built-in themes: \(Theme.builtinNames.joined(separator: ", ")))"
        case let .unreadable(path, code):
            return "cannot read theme \(path): \(String(cString: strerror(code)))"
        }
    }
}

/// A theme and what was odd about its file.
public struct LoadedTheme: Hashable, Sendable {
    public var theme: Theme
    /// The file it came from; nil for a built-in theme.
    public var path: String?
    public var warnings: [String]
}

/// Finds themes by name: `<dir>/<name>.theme` in the given directories first, then the built-in ones.
public enum ThemeLoader {
    /// Loads `name`. A file's missing keys come from the built-in theme of the same name, or dark.
    public static func load(name: String, directories: [String]) throws(ThemeError) -> LoadedTheme {
        let base = Theme.builtin(named: name) ?? .dark
        let safeName = !name.isEmpty && !name.contains("/") && !name.hasPrefix(".")
        if safeName {
            for directory in directories {
                let path = directory + "/" + name + ".theme"
                guard access(path, F_OK) == 0 else { continue }
                let text = try readFile(path)
                let parsed = Theme.parse(name: name, text: text, base: base)
                return LoadedTheme(theme: parsed.theme, path: path,
                                   warnings: parsed.warnings.map { "\(path): \($0)" })
            }
        }
        if let builtin = Theme.builtin(named: name) { return LoadedTheme(theme: builtin, path: nil, warnings: []) }
        throw .notFound(name: name, searched: directories)
    }

    /// The theme to use, never failing: NO_COLOR (set and not empty, see no-color.org) forces monochrome;
    /// an unknown or unreadable theme falls back to dark with a warning the console shows.
    public static func resolve(name: String?, directories: [String], environment: [String: String]) -> LoadedTheme {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty {
            return LoadedTheme(theme: .monochrome, path: nil, warnings: [])
        }
        do {
            return try load(name: name ?? "dark", directories: directories)
        } catch {
            return LoadedTheme(theme: .dark, path: nil, warnings: ["\(error); using dark"])
        }
    }

    /// Where themes are looked for: an explicit directory, the user's config, then next to the binary
    /// (`<prefix>/share/vnet/themes` for `<prefix>/bin/vnet-console`), then the system.
    public static func defaultDirectories(executablePath: String?, environment: [String: String]) -> [String] {
        var dirs: [String] = []
        if let explicit = environment["VNET_THEMES_DIR"], !explicit.isEmpty { dirs.append(explicit) }
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
            dirs.append(config + "/vnet/themes")
        } else if let home = environment["HOME"], !home.isEmpty {
            dirs.append(home + "/.config/vnet/themes")
        }
        if let exe = executablePath, let slash = exe.lastIndex(of: "/") {
            let bin = exe[..<slash]
            if let up = bin.lastIndex(of: "/") { dirs.append(bin[..<up] + "/share/vnet/themes") }
        }
        dirs.append("/etc/vnet/themes")
        dirs.append("/usr/share/vnet/themes")
        return dirs
    }

    private static func readFile(_ path: String) throws(ThemeError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, errno: errno)
            }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
