/// The version `git coord --version` prints, from `git describe` of the checkout at build time (see
/// scripts/version.sh): `1.2.0`, `1.2.0-3-g<commit>`, or `0.0.0-g<commit>` before the first tag.
public enum GitCoordVersion {
    public static let current = describedVersion
}
