package app

// The IANA timezone database is embedded so that TZ and the timezone setting resolve the same
// way in a minimal container image without /usr/share/zoneinfo (about 450 KB).
import _ "time/tzdata"
