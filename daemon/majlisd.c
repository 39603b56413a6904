/* majlisd: placeholder main until the supervisor lands in this file. */
#include "config.h"
int main(void) { return 0; }
