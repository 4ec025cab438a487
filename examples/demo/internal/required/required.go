// Package required checks that a service's configuration has every field
// it cannot run without, and names all the missing ones at once.
package required

import (
	"fmt"
	"strings"
)

// Field is one configuration field and whether it is set.
type Field struct {
	Name string
	Set  bool
}

// Check returns an error naming every field in fields that is not set.
func Check(service string, fields ...Field) error {
	var missing []string
	for _, f := range fields {
		if !f.Set {
			missing = append(missing, f.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: Config needs %s", service, strings.Join(missing, ", "))
	}
	return nil
}
