fn main() {
    println!("nnzoo");
}
