// SPDX-License-Identifier: MIT
// Reads a CSV through the installed package and prints its shape.
#include <iostream>

#include <kolosal/kolosal.hpp>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const kolosal::data::Frame frame = kolosal::data::read_csv(argv[1]);
  std::cout << "kolosal " << KOLOSAL_VERSION_STRING << " rows=" << frame.rows()
            << " cols=" << frame.cols() << "\n";
  return 0;
}
