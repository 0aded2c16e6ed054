// Package strict holds the cheap checks the lab's JSON codecs run on a body before handing it to
// their library, so that every codec refuses the same inputs whatever its library would accept.
package strict
