/// Maps truecolour theme values to the colour numbers a terminal has. 256-colour terminals get the xterm
/// cube and grey ramp (never 0-15, which users redefine); 16- and 8-colour terminals get the nearest ANSI
/// colour by a perceptual ("redmean") distance.
public enum ColorMapper {
    /// The terminal colour number for `color`, or -1 for the terminal's default.
    public static func index(for color: ThemeColor, depth: ColorDepth) -> Int {
        guard case let .rgb(r, g, b) = color else { return -1 }
        switch depth {
        case .none: return -1
        case .ansi256: return xterm256(r, g, b)
        case .sixteen: return nearestANSI(r, g, b, count: 16)
        case .eight: return nearestANSI(r, g, b, count: 8)
        }
    }

    /// The red, green and blue of terminal colour `index` under xterm's default palette.
    public static func rgb(of index: Int) -> (UInt8, UInt8, UInt8) {
        switch index {
        case 0..<16: return ansi[index]
        case 16..<232:
            let i = index - 16
            return (levels[i / 36], levels[(i / 6) % 6], levels[i % 6])
        case 232..<256:
            let v = UInt8(8 + 10 * (index - 232))
            return (v, v, v)
        default: return (0, 0, 0)
        }
    }

    /// Relative brightness 0...1, to pick black or white text when a mapping collapses fg onto bg.
    public static func luminance(of index: Int) -> Double {
        let (r, g, b) = rgb(of: index)
        return (0.299 * Double(r) + 0.587 * Double(g) + 0.114 * Double(b)) / 255
    }

    static func xterm256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        let ci = (nearestLevel(r), nearestLevel(g), nearestLevel(b))
        let cube = 16 + 36 * ci.0 + 6 * ci.1 + ci.2
        let average = (Int(r) + Int(g) + Int(b)) / 3
        let grayStep = min(23, max(0, (average - 3) / 10))
        let gray = 232 + grayStep
        return distance((r, g, b), rgb(of: gray)) < distance((r, g, b), rgb(of: cube)) ? gray : cube
    }

    static func nearestANSI(_ r: UInt8, _ g: UInt8, _ b: UInt8, count: Int) -> Int {
        var best = 0
        var bestDistance = Double.infinity
        for i in 0..<count {
            let d = distance((r, g, b), ansi[i])
            if d < bestDistance { best = i; bestDistance = d }
        }
        return best
    }

    private static let levels: [UInt8] = [0, 95, 135, 175, 215, 255]

    private static let ansi: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
        (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
        (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    private static func nearestLevel(_ v: UInt8) -> Int {
        var best = 0
        for (i, level) in levels.enumerated() where abs(Int(level) - Int(v)) < abs(Int(levels[best]) - Int(v)) {
            best = i
        }
        return best
    }

    private static func distance(_ a: (UInt8, UInt8, UInt8), _ b: (UInt8, UInt8, UInt8)) -> Double {
        let rMean = (Double(a.0) + Double(b.0)) / 2
        let dr = Double(a.0) - Double(b.0), dg = Double(a.1) - Double(b.1), db = Double(a.2) - Double(b.2)
        return (2 + rMean / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rMean) / 256) * db * db
    }
}
