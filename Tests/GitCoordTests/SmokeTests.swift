import Testing
import CoordTestSupport

@Test func helpIsShown() throws {
    let scratch = try Scratch()
    let result = try scratch.coord(["--help"])
    #expect(result.succeeded)
}
