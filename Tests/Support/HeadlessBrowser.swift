import Foundation

/// Debian's `chromium`, headless, for the tests that open `report.html` as a person would.
///
/// Each run is bounded in time and has a profile of its own; `--no-sandbox` because the tests may run as root
/// (Chromium will not sandbox itself then); a virtual time budget lets the page settle before the screenshot or
/// the DOM dump without waiting on a wall clock.
public struct HeadlessBrowser: Sendable {
    /// The screenshot's size: a laptop's width, and as much height as a reader sees before scrolling twice.
    public static let window = (width: 1280, height: 2000)

    public let program: String
    /// scripts/png-stats.py of the repository.
    public let pngStats: String

    /// Chromium on PATH, or nil.
    public init?(repository: URL) {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let found = path.split(separator: ":").map {
            URL(fileURLWithPath: String($0)).appendingPathComponent("chromium")
        }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        guard let found else { return nil }
        program = found.path
        pngStats = repository.appendingPathComponent("scripts/png-stats.py").path
    }

    /// What is wrong with `page` in the browser, in words; empty when the screenshot is not blank, the page logs
    /// nothing to the console and its pin map (`<figure class="figure pinmap">`) is drawn inside the window.
    /// The screenshot is left at `screenshot`; `work` holds the browser's profile.
    public func problems(with page: URL, screenshot: URL, work: URL) throws -> [String] {
        var problems: [String] = []
        let shot = try open(page, ["--screenshot=\(screenshot.path)"], work: work)
        if shot.status != 0 { problems.append("chromium --screenshot exited \(shot.status): \(shot.stderr)") }
        problems += Self.consoleMessages(shot.stderr).map { "the page logged: \($0)" }
        problems += try blankness(of: screenshot)

        // The probe goes into a copy beside the page, so the report itself stays without scripts.
        let probed = page.deletingLastPathComponent().appendingPathComponent("probe.html")
        let html = try String(contentsOf: page, encoding: .utf8)
        guard html.contains("</body>") else { return problems + ["the page has no </body>"] }
        try html.replacingOccurrences(of: "</body>", with: Self.probe + "</body>")
            .write(to: probed, atomically: true, encoding: .utf8)
        let dump = try open(probed, ["--dump-dom"], work: work)
        if dump.status != 0 { problems.append("chromium --dump-dom exited \(dump.status): \(dump.stderr)") }
        problems += Self.consoleMessages(dump.stderr).map { "the probe logged: \($0)" }
        guard let answer = dump.stdout.firstMatch(of: /data-pinmap="([^"]*)"/).map({ String($0.1) }) else {
            return problems + ["the probe wrote no answer into the DOM"]
        }
        return problems + Self.pinMapProblems(answer)
    }

    /// A blank or unstyled page is one or a handful of colours; text, tables and status colours are hundreds.
    func blankness(of screenshot: URL) throws -> [String] {
        let decoded = try runCommand("/usr/bin/env", ["python3", pngStats, screenshot.path], within: 120)
        guard decoded.status == 0 else { return ["\(screenshot.path) is not a whole PNG: \(decoded.stderr)"] }
        let stats = try JSONDecoder().decode(ScreenshotStats.self, from: Data(decoded.stdout.utf8))
        var problems: [String] = []
        if stats.width != Self.window.width || stats.height != Self.window.height {
            problems.append("the screenshot is \(stats.width)x\(stats.height), not the window's size")
        }
        if stats.colours <= 16 || stats.foregroundShare < 0.02 {
            problems.append("the screenshot is blank: \(decoded.stdout)")
        }
        return problems
    }

    static func pinMapProblems(_ answer: String) -> [String] {
        switch answer {
        case "none": return ["the page has no pin map (<figure class=\"figure pinmap\">, drawn by ConformPictures)"]
        case "no svg": return ["the pin map is not drawn: its figure holds no <svg> (a note that it did not parse?)"]
        default: break
        }
        let numbers = answer.split(separator: " ").compactMap { Double($0) }
        guard numbers.count == 6 else { return ["the probe's answer is not six numbers: \(answer)"] }
        let (top, bottom, left, right) = (numbers[0], numbers[1], numbers[2], numbers[3])
        let (width, height) = (min(numbers[4], Double(window.width)), min(numbers[5], Double(window.height)))
        var problems: [String] = []
        if bottom - top < 20 || right - left < 20 { problems.append("the pin map is too small to see: \(answer)") }
        if top < 0 || left < 0 || right > width || bottom > height {
            problems.append(
                "the pin map (top \(top), bottom \(bottom), left \(left), right \(right)) is outside the visible "
                    + "page (\(width)x\(height))")
        }
        return problems
    }

    /// Writes the pin map's box (its `<svg>`, the picture itself) and the window's size, in CSS pixels, onto the
    /// root element, where `--dump-dom` shows it.
    static let probe = """
        <script>
        const figure = document.querySelector("figure.pinmap");
        const svg = figure ? figure.querySelector("svg") : null;
        const box = svg ? svg.getBoundingClientRect() : null;
        document.documentElement.setAttribute("data-pinmap", figure ? (box
            ? [box.top, box.bottom, box.left, box.right, window.innerWidth, window.innerHeight].map(Math.round).join(" ")
            : "no svg") : "none");
        </script>

        """

    func open(_ page: URL, _ action: [String], work: URL) throws -> Outcome {
        try runCommand(
            program,
            [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                "--user-data-dir=\(work.appendingPathComponent("chromium-profile").path)",
                "--window-size=\(Self.window.width),\(Self.window.height)", "--hide-scrollbars",
                "--virtual-time-budget=2000", "--enable-logging=stderr", "--v=0",
            ] + action + [page.absoluteString], within: 90)
    }

    /// What the page logged: Chromium writes every console message, errors and logs alike, as an `INFO:CONSOLE`
    /// line on stderr (`...:INFO:CONSOLE:1] "Uncaught ReferenceError: ...", source: file:///... (1)`).
    static func consoleMessages(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") }
    }

    struct ScreenshotStats: Decodable {
        var width: Int
        var height: Int
        var colours: Int
        var foregroundShare: Double

        enum CodingKeys: String, CodingKey {
            case width, height, colours
            case foregroundShare = "foreground_share"
        }
    }
}
