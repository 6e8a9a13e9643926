#ifndef KANON_VERSION_H
#define KANON_VERSION_H

#define KANON_VERSION "0.1.0"

#endif
