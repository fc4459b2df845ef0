package flow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Ownership is a flow's source-of-truth policy for its entity: which system owns
// which fields. A change from a system that does not own a field never writes
// it: the field keeps the value last written (or stays empty on create), and
// the outcome records the field as not-owner.
//
// Paths are JSON field names joined by dots through nested objects, such as
// "price" or "totals.payable". A path that is not listed takes its parent's
// owner, and the top level takes Default. Arrays are owned as a whole.
type Ownership struct {
	// Default owns every field not listed. Empty means any source owns them.
	Default string
	// Fields maps a field path to the system that owns it.
	Fields map[string]string
}

// owner returns the system that owns path, or "" for anyone.
func (o *Ownership) owner(path string) string {
	for p := path; ; {
		if s, ok := o.Fields[p]; ok {
			return s
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			return o.Default
		}
		p = p[:i]
	}
}

// hasChildren reports whether any listed path lies below prefix, so the walk
// must descend into it.
func (o *Ownership) hasChildren(prefix string) bool {
	for p := range o.Fields {
		if strings.HasPrefix(p, prefix+".") {
			return true
		}
	}
	return false
}

// enforce returns mapped (as JSON) with every field that system does not own
// reset to its value in prev (nil prev: removed), and the paths whose value
// was dropped because it differed.
func (o *Ownership) enforce(system string, mapped, prev []byte) ([]byte, []string, error) {
	var cur, old map[string]any
	if err := decodeObject(mapped, &cur); err != nil {
		return nil, nil, fmt.Errorf("ownership: mapped entity: %w", err)
	}
	if len(prev) > 0 {
		if err := decodeObject(prev, &old); err != nil {
			return nil, nil, fmt.Errorf("ownership: previous entity: %w", err)
		}
	}
	var dropped []string
	o.walk(system, "", cur, old, &dropped)
	if len(dropped) == 0 {
		return mapped, nil, nil
	}
	sort.Strings(dropped)
	out, err := json.Marshal(cur)
	return out, dropped, err
}

func (o *Ownership) walk(system, prefix string, cur, old map[string]any, dropped *[]string) {
	keys := make(map[string]struct{}, len(cur)+len(old))
	for k := range cur {
		keys[k] = struct{}{}
	}
	for k := range old {
		keys[k] = struct{}{}
	}
	for k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		cv, inCur := cur[k]
		ov, inOld := old[k]
		if o.hasChildren(path) {
			cm, _ := cv.(map[string]any)
			om, _ := ov.(map[string]any)
			if cm == nil && inCur {
				cm = map[string]any{}
			}
			if cm != nil {
				o.walk(system, path, cm, om, dropped)
				cur[k] = cm
				continue
			}
		}
		if owner := o.owner(path); owner == "" || owner == system {
			continue
		}
		if inCur && inOld && reflect.DeepEqual(cv, ov) {
			continue
		}
		if inOld {
			cur[k] = ov
		} else {
			delete(cur, k)
		}
		*dropped = append(*dropped, path)
	}
}

func decodeObject(b []byte, v *map[string]any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}
